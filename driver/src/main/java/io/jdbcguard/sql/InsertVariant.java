package io.jdbcguard.sql;

/** How an INSERT treats an existing row with the same key. */
public enum InsertVariant {
    /** Not an insert. */
    NONE,
    /** A plain {@code INSERT … VALUES/SET}: a duplicate key is an error. */
    PLAIN,
    /** {@code INSERT IGNORE}. */
    IGNORE,
    /** {@code INSERT … ON DUPLICATE KEY UPDATE}. */
    ON_DUPLICATE_KEY_UPDATE,
    /** {@code REPLACE}. */
    REPLACE,
    /** PostgreSQL's {@code INSERT … ON CONFLICT … DO NOTHING}. */
    ON_CONFLICT_DO_NOTHING,
    /** PostgreSQL's {@code INSERT … ON CONFLICT … DO UPDATE}. */
    ON_CONFLICT_DO_UPDATE,
    /** {@code INSERT … SELECT}: the inserted values come from a query. */
    SELECT;

    /** Whether the statement is written so that a concurrent duplicate is not an error or a duplicate row. */
    public boolean toleratesDuplicates() {
        return this == IGNORE || this == ON_DUPLICATE_KEY_UPDATE || this == REPLACE || this == ON_CONFLICT_DO_NOTHING
                || this == ON_CONFLICT_DO_UPDATE;
    }
}
