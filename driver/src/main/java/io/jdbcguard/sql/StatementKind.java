package io.jdbcguard.sql;

/** What a statement does, as far as the guard cares. */
public enum StatementKind {
    SELECT,
    INSERT,
    UPDATE,
    DELETE,
    /** {@code SET …}: variables, isolation, autocommit. */
    SET,
    LOCK_TABLES,
    UNLOCK_TABLES,
    /** {@code START TRANSACTION} or {@code BEGIN}. */
    BEGIN,
    COMMIT,
    ROLLBACK,
    /** {@code SAVEPOINT}, {@code RELEASE SAVEPOINT}, {@code ROLLBACK TO SAVEPOINT}: the transaction goes on. */
    SAVEPOINT,
    /** DDL; commits the open transaction implicitly unless on a temporary table. */
    DDL,
    /** Anything else, and anything not understood: passed through, not analysed. */
    OTHER;

    /** Whether this kind is SELECT, INSERT, UPDATE or DELETE. */
    public boolean isDml() {
        return this == SELECT || this == INSERT || this == UPDATE || this == DELETE;
    }
}
