package io.jdbcguard.config;

/** Values of {@code guard.recovery}. */
public enum Recovery {
    /** After a duplicate key under REPEATABLE READ, run the transaction's plain reads of that table as shared-lock reads. */
    FRESH_READ,
    /** Never rewrite a statement; report the stale read instead. */
    OFF
}
