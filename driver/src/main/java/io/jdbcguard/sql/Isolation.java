package io.jdbcguard.sql;

import java.sql.Connection;
import java.util.Locale;

/** A transaction isolation level, named as DESIGN.md's log key-values name them. */
public enum Isolation {
    READ_UNCOMMITTED(Connection.TRANSACTION_READ_UNCOMMITTED),
    READ_COMMITTED(Connection.TRANSACTION_READ_COMMITTED),
    REPEATABLE_READ(Connection.TRANSACTION_REPEATABLE_READ),
    SERIALIZABLE(Connection.TRANSACTION_SERIALIZABLE);

    private final int jdbcLevel;

    Isolation(int jdbcLevel) {
        this.jdbcLevel = jdbcLevel;
    }

    public int jdbcLevel() {
        return jdbcLevel;
    }

    /** The level for a JDBC constant, or {@code null} (e.g. for TRANSACTION_NONE). */
    public static Isolation ofJdbc(int level) {
        for (Isolation i : values()) {
            if (i.jdbcLevel == level) {
                return i;
            }
        }
        return null;
    }

    /**
     * Parses how MySQL and MariaDB write a level: {@code READ-COMMITTED} (variables),
     * {@code READ COMMITTED} (SQL), {@code read_committed}; or {@code null}.
     */
    public static Isolation parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        for (Isolation i : values()) {
            if (i.name().equals(t)) {
                return i;
            }
        }
        return null;
    }
}
