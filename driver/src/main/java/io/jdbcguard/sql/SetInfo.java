package io.jdbcguard.sql;

/**
 * What a {@code SET} statement changes that the guard tracks.
 *
 * @param isolation      the isolation level it sets, or {@code null}
 * @param isolationScope where that level applies, or {@code null} when {@code isolation} is
 * @param autocommit     the autocommit value it sets, or {@code null}
 * @param snapshotIsolation the session's {@code innodb_snapshot_isolation} it sets, or {@code null}
 * @param modes          the session's {@code sql_mode} it sets (MySQL/MariaDB: it changes how texts are lexed),
 *                       or {@code null}
 */
public record SetInfo(Isolation isolation, Scope isolationScope, Boolean autocommit, Boolean snapshotIsolation,
                      String modes) {

    /** Where a {@code SET} of isolation applies. */
    public enum Scope {
        /** {@code SET TRANSACTION ISOLATION LEVEL …}: the next transaction only. */
        NEXT_TRANSACTION,
        /** {@code SET SESSION …} and session variables. */
        SESSION,
        /** {@code SET GLOBAL …}: new connections, not this one. */
        GLOBAL
    }

    static final SetInfo NONE = new SetInfo(null, null, null, null, null);
}
