package io.jdbcguard.fact;

import java.sql.SQLException;

/**
 * How an execution ended.
 *
 * <p>For a query: whether its first {@code next()} found a row and, for {@code COUNT}/{@code EXISTS}
 * forms, the first column of that row. For an update: the update count. For a failure: the exception
 * exactly as the application received it.
 */
public final class Outcome {

    /** What kind of outcome. */
    public enum Type {
        /** A result set; {@link #rowFound()} and {@link #firstValue()} tell what it held. */
        ROWS,
        /** A result set that was closed before its first row was asked for. */
        ROWS_UNREAD,
        /** An update count. */
        UPDATE_COUNT,
        /** The statement threw; see {@link #error()}. */
        FAILED,
        /** Not run yet: a fact shown to {@link FactListener#beforeExecution}. */
        PENDING
    }

    /** The outcome of a statement not run yet. */
    public static final Outcome PENDING = new Outcome(Type.PENDING, false, null, -1, null);

    private final Type type;
    private final boolean rowFound;
    private final Long firstValue;
    private final long updateCount;
    private final SQLException error;

    private Outcome(Type type, boolean rowFound, Long firstValue, long updateCount, SQLException error) {
        this.type = type;
        this.rowFound = rowFound;
        this.firstValue = firstValue;
        this.updateCount = updateCount;
        this.error = error;
    }

    private static final Outcome ROW = new Outcome(Type.ROWS, true, null, -1, null);
    private static final Outcome NO_ROW = new Outcome(Type.ROWS, false, null, -1, null);

    public static Outcome rows(boolean rowFound, Long firstValue) {
        if (firstValue == null) {
            return rowFound ? ROW : NO_ROW;
        }
        return new Outcome(Type.ROWS, rowFound, firstValue, -1, null);
    }

    public static Outcome unread() {
        return new Outcome(Type.ROWS_UNREAD, false, null, -1, null);
    }

    public static Outcome updateCount(long count) {
        return count >= 0 && count < SMALL_COUNTS.length ? SMALL_COUNTS[(int) count]
                : new Outcome(Type.UPDATE_COUNT, false, null, count, null);
    }

    /** The counts most updates return, made once. */
    private static final Outcome[] SMALL_COUNTS = new Outcome[16];

    static {
        for (int i = 0; i < SMALL_COUNTS.length; i++) {
            SMALL_COUNTS[i] = new Outcome(Type.UPDATE_COUNT, false, null, i, null);
        }
    }

    public static Outcome failed(SQLException e) {
        return new Outcome(Type.FAILED, false, null, -1, e);
    }

    public Type type() {
        return type;
    }

    /** For {@link Type#ROWS}: whether the first {@code next()} returned true. */
    public boolean rowFound() {
        return rowFound;
    }

    /**
     * For {@link Type#ROWS} of a COUNT or EXISTS form whose first row was found: the first column as a
     * number; otherwise {@code null}.
     */
    public Long firstValue() {
        return firstValue;
    }

    /** For {@link Type#UPDATE_COUNT}: the count (may be {@link java.sql.Statement#SUCCESS_NO_INFO}). */
    public long updateCount() {
        return updateCount;
    }

    /** For {@link Type#FAILED}: the exception, the same object the application got. */
    public SQLException error() {
        return error;
    }

    /** For {@link Type#FAILED}: the SQLState, or {@code null}. */
    public String sqlState() {
        return error == null ? null : error.getSQLState();
    }

    /** For {@link Type#FAILED}: the vendor code (1062 for a MySQL duplicate key), else 0. */
    public int vendorCode() {
        return error == null ? 0 : error.getErrorCode();
    }

    @Override
    public String toString() {
        switch (type) {
            case ROWS:
                return rowFound ? (firstValue != null ? "row(" + firstValue + ")" : "row") : "no row";
            case ROWS_UNREAD:
                return "unread";
            case UPDATE_COUNT:
                return "updated " + updateCount;
            case PENDING:
                return "pending";
            default:
                return "failed " + sqlState() + "/" + vendorCode();
        }
    }
}
