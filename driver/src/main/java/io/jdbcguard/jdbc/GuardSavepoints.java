package io.jdbcguard.jdbc;

import io.jdbcguard.dialect.Dialect;
import io.jdbcguard.internal.InternalErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * The guard's savepoints on one connection: the repair of {@code duplicate-aborts-transaction}. An execution the
 * rules decided {@link io.jdbcguard.fact.FactListener#IN_SAVEPOINT} runs inside one, taken right before it on the
 * application's connection and rolled back to only when it failed with a duplicate key. Like the connection, not
 * meant for concurrent use.
 */
final class GuardSavepoints {

    private final Connection delegate;
    private final Dialect dialect;
    private final TransactionTracker tx;

    GuardSavepoints(Connection delegate, Dialect dialect, TransactionTracker tx) {
        this.delegate = delegate;
        this.dialect = dialect;
        this.tx = tx;
    }

    /** The name of the guard's savepoint: a named one, so the driver's numbering of the application's own stays as it was. */
    static final String SAVEPOINT_NAME = "jdbc_guard_insert";
    /**
     * How many of the guard's savepoints one transaction keeps open: each is left to the transaction's end (the
     * server releases it at COMMIT), which saves the round trip of a RELEASE; past this many, each is released at
     * once, so that a long transaction does not nest them without bound.
     */
    static final int OPEN_SAVEPOINTS = 8;
    /** The transaction the guard's open savepoints belong to, and how many it has. */
    private long savepointTransaction = -1;
    private int savepointsOpen;

    /**
     * Takes the guard's savepoint before an execution decided {@link io.jdbcguard.fact.FactListener#IN_SAVEPOINT},
     * or returns {@code null} (any other decision, or the driver refused: the statement then runs as written).
     * Throws only where the savepoint found the connection dead (pgJDBC closes it after a terminated backend):
     * that exception is what the statement itself would have got first, so it is the statement's failure; run
     * after it, the statement would fail otherwise (a closed connection).
     */
    Savepoint take(String decision) throws SQLException {
        if (decision != io.jdbcguard.fact.FactListener.IN_SAVEPOINT) {
            return null;
        }
        try {
            return delegate.setSavepoint(SAVEPOINT_NAME);
        } catch (SQLException e) {
            if (closedAfter()) {
                throw e;
            }
            if (e.getSQLState() == null || !e.getSQLState().startsWith("25")) {
                // Invalid transaction state (25P02: an earlier error aborted the transaction) is the application's
                // affair: the statement then fails as it would straight. Anything else is the guard's to count.
                InternalErrors.record("taking a savepoint before an INSERT", e);
            }
            return null;
        } catch (Throwable t) {
            InternalErrors.record("taking a savepoint before an INSERT", t);
            return null;
        }
    }

    private boolean closedAfter() {
        try {
            return delegate.isClosed();
        } catch (Throwable t) {
            return true;
        }
    }

    /** The text a decision runs instead of the application's, or {@code null}: the savepoint decision is no text. */
    static String rewriteOf(String decision) {
        return decision == io.jdbcguard.fact.FactListener.IN_SAVEPOINT ? null : decision;
    }

    /**
     * After the execution the savepoint was taken for: rolled back to when it failed with a duplicate key (so the
     * transaction is not aborted); then, and after a success, left to the transaction's end, or released at once
     * past {@link #OPEN_SAVEPOINTS} in one transaction; after any other failure left as it is (the transaction is
     * aborted as it would be straight). Never throws: the application gets its own outcome.
     */
    void done(Savepoint sp, SQLException failure) {
        if (sp == null) {
            return;
        }
        try {
            boolean keep = failure == null || dialect.duplicateKey(failure.getErrorCode(), failure.getSQLState());
            if (failure != null && keep) {
                delegate.rollback(sp); // the savepoint stays defined, as after any ROLLBACK TO SAVEPOINT
            }
            if (keep) {
                long txId = tx.transactionId();
                if (txId != savepointTransaction) {
                    savepointTransaction = txId;
                    savepointsOpen = 0;
                }
                if (savepointsOpen < OPEN_SAVEPOINTS) {
                    savepointsOpen++; // released by the server when the transaction ends: no round trip now
                } else {
                    delegate.releaseSavepoint(sp);
                }
            }
        } catch (Throwable t) {
            InternalErrors.record("ending the guard's savepoint", t);
        }
    }
}
