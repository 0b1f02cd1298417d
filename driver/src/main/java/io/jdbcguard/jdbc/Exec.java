package io.jdbcguard.jdbc;

import io.jdbcguard.fact.ConnectionInfo;
import io.jdbcguard.fact.FactBus;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SqlShape;

/**
 * One execution in flight: what was known when it was handed to the driver. Created only when a listener
 * wants the statement's kind; turned into an immutable fact once its outcome is known.
 */
final class Exec {
    final FactBus bus;
    final ConnectionInfo connection;
    final String sql;
    final SqlShape shape;
    final Object[] params;
    final long transactionId;
    final boolean inTransaction;
    final boolean autoCommit;
    final Isolation isolation;
    long endNanos;

    Exec(FactBus bus, ConnectionInfo connection, String sql, SqlShape shape, Object[] params, long transactionId,
         boolean inTransaction, boolean autoCommit, Isolation isolation) {
        this.bus = bus;
        this.connection = connection;
        this.sql = sql;
        this.shape = shape;
        this.params = params;
        this.transactionId = transactionId;
        this.inTransaction = inTransaction;
        this.autoCommit = autoCommit;
        this.isolation = isolation;
    }

    /** The driver returned: the one clock read of a recorded execution. */
    void ended() {
        if (endNanos == 0) {
            endNanos = System.nanoTime();
        }
    }

    void publish(Outcome outcome, int batchIndex, Object[] batchParams) {
        ended();
        bus.publish(connection, transactionId, inTransaction, autoCommit, isolation, sql, shape,
                batchParams != null ? batchParams : params, batchIndex, outcome, endNanos, endNanos);
    }

    /** The shape of a text, or {@code null} if the guard failed on it (fail-open). */
    static SqlShape shapeOf(String sql) {
        if (sql == null) {
            return null;
        }
        try {
            return io.jdbcguard.sql.SqlShapes.of(sql);
        } catch (Throwable t) {
            io.jdbcguard.internal.InternalErrors.record("classifying a statement", t);
            return null;
        }
    }

    /** Publishes an execution's outcome, if it was recorded; never throws. */
    static void publish(Exec exec, Outcome outcome) {
        if (exec == null) {
            return;
        }
        try {
            exec.ended();
            exec.publish(outcome, -1, null);
        } catch (Throwable t) {
            io.jdbcguard.internal.InternalErrors.record("analysis of " + exec.shape.kind(), t);
        }
    }

    static long[] toLong(int[] counts) {
        if (counts == null) {
            return null;
        }
        long[] l = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
            l[i] = counts[i];
        }
        return l;
    }

    static void publishBatchEntry(Exec exec, int i, Object[] params, long[] counts, java.sql.SQLException failure,
                                  long start) {
        if (exec == null) {
            return;
        }
        try {
            Outcome outcome = counts != null && i < counts.length && counts[i] != java.sql.Statement.EXECUTE_FAILED
                    ? Outcome.updateCount(counts[i]) : Outcome.failed(failure);
            exec.ended();
            exec.publish(outcome, i, params);
        } catch (Throwable t) {
            io.jdbcguard.internal.InternalErrors.record("analysis of a batch", t);
        }
    }
}
