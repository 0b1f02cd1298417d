package io.jdbcguard.sql;

/** The locking clause of a SELECT. */
public enum LockMode {
    NONE,
    /** {@code FOR UPDATE}: exclusive row locks. */
    FOR_UPDATE,
    /** {@code FOR SHARE} (MySQL 8) or {@code LOCK IN SHARE MODE}: shared row locks. */
    SHARED
}
