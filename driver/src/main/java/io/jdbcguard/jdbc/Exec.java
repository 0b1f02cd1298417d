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
}
