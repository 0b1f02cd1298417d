package io.jdbcguard.jdbc;

import io.jdbcguard.fact.TransactionEvent;
import io.jdbcguard.dialect.Dialect;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SetInfo;
import io.jdbcguard.sql.SqlShape;
import java.sql.SQLException;

/**
 * A connection's transaction state, from the JDBC calls and the SQL that pass through: autocommit,
 * {@code START TRANSACTION}/{@code BEGIN}, commits and rollbacks (by call, by SQL, implicit by DDL or
 * {@code LOCK TABLES}, a deadlock's), the session isolation and the next transaction's, and the session's
 * {@code innodb_snapshot_isolation}. Every statement outside a transaction is a transaction of its own
 * (its id advances). Pure state: no JDBC, no server; tells its listener when a transaction ends.
 */
final class TransactionTracker {

    /** Told when a transaction ends. */
    @FunctionalInterface
    interface EndListener {
        void ended(long transactionId, TransactionEvent.Type type);
    }

    private final EndListener onEnd;
    private boolean autoCommit;
    /** {@code START TRANSACTION}/{@code BEGIN} ran while autocommit was on. */
    private boolean explicitTransaction;
    private long transactionId;
    private Isolation sessionIsolation;
    private Isolation nextTransactionIsolation;
    /** Set through the guard; {@code null}: the server's default. */
    private Boolean sessionSnapshotIsolation;

    /** Which failures end the transaction on the server. */
    private final Dialect dialect;

    TransactionTracker(Dialect dialect, boolean autoCommit, Isolation sessionIsolation, EndListener onEnd) {
        this.dialect = dialect;
        this.autoCommit = autoCommit;
        this.sessionIsolation = sessionIsolation;
        this.onEnd = onEnd;
    }

    boolean autoCommit() {
        return autoCommit;
    }

    boolean inTransaction() {
        return !autoCommit || explicitTransaction;
    }

    long transactionId() {
        return transactionId;
    }

    /** The effective isolation of the current transaction, or {@code null} if unknown. */
    Isolation isolation() {
        return nextTransactionIsolation != null ? nextTransactionIsolation : sessionIsolation;
    }

    Boolean sessionSnapshotIsolation() {
        return sessionSnapshotIsolation;
    }

    /** A statement ran (successfully, or failed with {@code failure}); {@code shape} is null where unknown. */
    void afterStatement(SqlShape shape, SQLException failure) {
        if (shape == null) {
            nextIfOutside();
            return;
        }
        if (failure != null) {
            if (dialect.endsTransaction(failure.getErrorCode(), failure.getSQLState()) && inTransaction()) {
                end(TransactionEvent.Type.ROLLBACK);
            } else {
                nextIfOutside();
            }
            return;
        }
        switch (shape.kind()) {
            case COMMIT:
                endIfOpen(TransactionEvent.Type.COMMIT);
                break;
            case ROLLBACK:
                endIfOpen(TransactionEvent.Type.ROLLBACK);
                break;
            case BEGIN:
                endIfOpen(TransactionEvent.Type.IMPLICIT_COMMIT);
                if (autoCommit) {
                    explicitTransaction = true;
                }
                break;
            case SET:
                applySet(shape.set());
                break;
            case LOCK_TABLES:
                endIfOpen(TransactionEvent.Type.IMPLICIT_COMMIT); // LOCK TABLES commits first
                break;
            default:
                if (shape.implicitCommit()) {
                    endIfOpen(TransactionEvent.Type.IMPLICIT_COMMIT);
                } else {
                    nextIfOutside();
                }
        }
    }

    /** {@code Connection.setAutoCommit}. */
    void autoCommitSet(boolean on) {
        if (on != autoCommit || explicitTransaction) {
            setAutoCommitState(on);
        }
    }

    /** {@code Connection.commit} or {@code rollback}. */
    void ended(TransactionEvent.Type type) {
        endIfOpen(type);
    }

    /** {@code Connection.setTransactionIsolation}. */
    void isolationSet(Isolation level) {
        sessionIsolation = level;
    }

    private void applySet(SetInfo set) {
        if (set.isolation() != null) {
            switch (set.isolationScope()) {
                case SESSION:
                    sessionIsolation = set.isolation();
                    break;
                case NEXT_TRANSACTION:
                    nextTransactionIsolation = set.isolation();
                    break;
                default:
                    break;
            }
        }
        if (set.snapshotIsolation() != null) {
            sessionSnapshotIsolation = set.snapshotIsolation();
        }
        if (set.autocommit() != null) {
            setAutoCommitState(set.autocommit());
        } else {
            nextIfOutside();
        }
    }

    private void setAutoCommitState(boolean on) {
        if (on && inTransaction()) {
            end(TransactionEvent.Type.IMPLICIT_COMMIT);
        }
        autoCommit = on;
        explicitTransaction = false;
    }

    private void nextIfOutside() {
        if (!inTransaction()) {
            transactionId++;
        }
    }

    private void endIfOpen(TransactionEvent.Type type) {
        if (inTransaction()) {
            end(type);
        } else {
            transactionId++;
        }
    }

    private void end(TransactionEvent.Type type) {
        long ended = transactionId;
        transactionId++;
        explicitTransaction = false;
        nextTransactionIsolation = null;
        onEnd.ended(ended, type);
    }
}
