package io.jdbcguard.fact;

import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;

/**
 * One execution of one statement (or one entry of a batch), as the rules see it: free of any JDBC object
 * but the exception in a failed {@link Outcome}, and immutable once listeners see it. The guard makes it
 * when it hands the statement to the driver and completes it (outcome, clock) once, before publishing:
 * one object per execution, not a record in flight and a fact after it.
 */
public final class ExecutionFact {

    private final ConnectionInfo connection;
    private final long transactionId;
    private final boolean inTransaction;
    private final boolean autoCommit;
    private final Isolation isolation;
    private final String sql;
    private final SqlShape shape;
    private final Object[] params;
    private final int batchIndex;
    private Outcome outcome;
    private long startNanos;
    private long endNanos;
    private Thread thread;

    ExecutionFact(ConnectionInfo connection, long transactionId, boolean inTransaction, boolean autoCommit,
                  Isolation isolation, String sql, SqlShape shape, Object[] params, int batchIndex, Outcome outcome,
                  long startNanos, long endNanos, Thread thread) {
        this.connection = connection;
        this.transactionId = transactionId;
        this.inTransaction = inTransaction;
        this.autoCommit = autoCommit;
        this.isolation = isolation;
        this.sql = sql;
        this.shape = shape;
        this.params = params;
        this.batchIndex = batchIndex;
        this.outcome = outcome;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
        this.thread = thread;
    }

    /** The driver returned: the one clock read of a completed execution (later calls keep the first). */
    void ended() {
        if (endNanos == 0) {
            endNanos = System.nanoTime();
            startNanos = endNanos;
        }
    }

    /** Completes it with its outcome, on the thread that saw the outcome, before any listener sees it. */
    void complete(Outcome o) {
        ended();
        outcome = o;
        thread = Thread.currentThread();
    }

    /** The connection (and through it the data source) it ran on. */
    public ConnectionInfo connection() {
        return connection;
    }

    /**
     * Which transaction of its connection it ran in: equal ids on one connection mean one transaction.
     * Under autocommit every statement outside {@code START TRANSACTION} has an id of its own.
     */
    public long transactionId() {
        return transactionId;
    }

    /** Whether it ran inside an explicit transaction (autocommit off, or after {@code START TRANSACTION}). */
    public boolean inTransaction() {
        return inTransaction;
    }

    public boolean autoCommit() {
        return autoCommit;
    }

    /** The effective isolation of this statement's transaction, or {@code null} if it could not be known. */
    public Isolation isolation() {
        return isolation;
    }

    /** The SQL text exactly as the application passed it. */
    public String sql() {
        return sql;
    }

    public SqlShape shape() {
        return shape;
    }

    public StatementKind kind() {
        return shape.kind();
    }

    /** The value bound to JDBC parameter {@code index} (1-based), or {@code null} (unbound, or SQL NULL). */
    public Object param(int index) {
        return params == null || index < 1 || index >= params.length ? null : params[index];
    }

    /**
     * Whether every JDBC parameter's value was kept ({@link #param} then tells SQL NULL from a value); when
     * not, a parameter's {@code null} means "not known".
     */
    public boolean paramsKnown() {
        return shape.paramCount() == 0 || params != null && params.length > shape.paramCount();
    }

    /**
     * The value of the {@code k}-th {@code ?} of the normalised text: a bound parameter or a literal.
     */
    public Object slotValue(int k) {
        if (k < 1 || k > shape.slotCount()) {
            return null;
        }
        int index = shape.slotParamIndex(k);
        return index > 0 ? param(index) : shape.slotLiteral(k);
    }

    /** Position in its batch (0-based), or -1 when not part of a batch. */
    public int batchIndex() {
        return batchIndex;
    }

    public Outcome outcome() {
        return outcome;
    }

    /**
     * {@link System#nanoTime()} when the statement was handed to the driver, for a fact shown before it
     * ran ({@link Outcome#PENDING}); for a completed statement the guard reads the clock once, at the end,
     * and this equals {@link #endNanos()}.
     */
    public long startNanos() {
        return startNanos;
    }

    /** {@link System#nanoTime()} when the driver returned. */
    public long endNanos() {
        return endNanos;
    }

    /** The application thread that ran it. */
    public Thread thread() {
        return thread;
    }

    @Override
    public String toString() {
        return "#" + connection.id() + "/tx" + transactionId + (inTransaction ? "" : "(auto)") + " " + isolation
                + " " + shape.normalized() + " -> " + outcome;
    }
}
