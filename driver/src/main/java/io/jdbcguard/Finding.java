package io.jdbcguard;

import java.util.List;

/**
 * One occurrence of a finding: what races, where, and how to fix it. Immutable. Delivered to every
 * {@link FindingListener} each time a pattern occurs; the log line is written for a place's first
 * occurrence ({@link #count()} 1). A place is the rule, the table and the application's call sites.
 *
 * @param rule      the rule id, e.g. {@code check-then-insert}
 * @param level     {@code ERROR}, {@code WARN} or {@code INFO}
 * @param message   the log line's sentence: starts with {@code [rule-id]}, names the places and the fix
 * @param table     the table, schema-qualified when the statement qualified it; {@code null} for none
 * @param columns   lower-case column names (the checked key, or the columns written back)
 * @param checkSite the first statement's application call site, or {@code null}
 * @param writeSite the completing statement's application call site, or {@code null}
 * @param isolation {@code READ_UNCOMMITTED}, {@code READ_COMMITTED}, {@code REPEATABLE_READ},
 *                  {@code SERIALIZABLE}, or {@code null} when unknown
 * @param sql       the completing statement, literals and values as {@code ?} unless
 *                  {@code guard.log-values=true}
 * @param checkSql  the first statement, likewise, or {@code null}
 * @param database  the database it happened on: {@code mysql}, {@code mariadb} or {@code postgresql}; {@code null}
 *                  where not known
 * @param count     how many times this place has occurred so far in this JVM, this one included
 * @param thread    the name of the application thread whose statements formed it
 * @param timeMillis when it occurred ({@link System#currentTimeMillis()})
 */
public record Finding(String rule, Level level, String message, String table, List<String> columns,
                      StackTraceElement checkSite, StackTraceElement writeSite, String isolation, String sql,
                      String checkSql, String database, long count, String thread, long timeMillis) {

    /** How serious a finding is. */
    public enum Level {
        /** Concurrent callers corrupt data (duplicate rows). */
        ERROR,
        /** Concurrent callers fail or lose work. */
        WARN,
        /** The guard repaired it; said for the record. */
        INFO;

        /** Whether this level is at least {@code other} ({@code ERROR} is at least {@code WARN}). */
        public boolean atLeast(Level other) {
            return ordinal() <= other.ordinal();
        }
    }

    public Finding {
        columns = columns == null ? List.of() : List.copyOf(columns);
    }

    /** The same finding as another occurrence. */
    public Finding occurrence(long count, String thread, long timeMillis) {
        return new Finding(rule, level, message, table, columns, checkSite, writeSite, isolation, sql, checkSql,
                database, count, thread, timeMillis);
    }

    /**
     * For an {@code observed-race}: which race happened ({@code lost-update}, {@code duplicate-insert},
     * {@code duplicate-child}), as its message begins; {@code null} for every other rule.
     */
    public String race() {
        if (!"observed-race".equals(rule) || message == null || !message.startsWith("[observed-race] ")) {
            return null;
        }
        int end = message.indexOf(':', 16);
        return end < 0 ? null : message.substring(16, end);
    }

    /**
     * Whether this finding says what happened (a race observed under load, a deadlock the server resolved), not a
     * pattern that can race.
     */
    public boolean happened() {
        return "observed-race".equals(rule) || "deadlock".equals(rule);
    }

    /** The place: rule, table, columns and both call sites, as one key. */
    public String place() {
        return rule + '|' + table + '|' + String.join(",", columns) + '|' + checkSite + '|' + writeSite;
    }
}
