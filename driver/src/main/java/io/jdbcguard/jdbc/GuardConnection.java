package io.jdbcguard.jdbc;

import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.dialect.Dialect;
import io.jdbcguard.fact.ConnectionInfo;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactBus;
import io.jdbcguard.fact.TransactionEvent;
import io.jdbcguard.internal.InternalErrors;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Syntax;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The guard's connection. It intercepts statement creation (to wrap statements and resolve prepared
 * statements' shapes once), metadata (to keep back-references on wrappers), and the calls that change
 * transaction state; it tracks autocommit, transaction boundaries and isolation from those calls and from
 * the SQL that passes through, reading the isolation from the server at most once.
 *
 * <p>Like the real driver's connection, it is not meant for concurrent use by several threads.
 */
public final class GuardConnection extends ForwardingConnection {

    private static final AtomicLong IDS = new AtomicLong();
    /**
     * How long a repair may wait for the server facts read on the guard's own connection: only after a
     * duplicate key in the data source's first moments, when the read started at open is still running.
     */
    static final long SERVER_FACTS_WAIT_MS = 200;

    final ConnectionInfo info;
    /** The guard's fact bus and counters, through the data source. */
    final FactBus bus;
    /** What the listeners active on this connection read. */
    final ListenerInterest interest;
    private final io.jdbcguard.internal.Counters counters;
    private final TransactionTracker tx;
    private boolean closed;
    /** The data source's database, chosen when its first connection opened. */
    private final Dialect dialect;
    /** How this session's texts are read: the dialect's, changed by the session's own {@code SET sql_mode}. */
    private volatile Syntax syntax;

    /**
     * Wraps a connection just opened. What the guard needs of the session (autocommit, isolation, the
     * server's product) is read here, once, through the driver's own API; nothing else is ever sent on
     * the application's connection. Server facts beyond that are read on the guard's own connection.
     */
    public GuardConnection(Connection delegate, ConnectionInfo.DataSourceInfo dataSource) {
        super(delegate);
        this.bus = dataSource.runtime().bus();
        this.counters = dataSource.runtime().counters();
        this.interest = new ListenerInterest(bus, dataSource.config());
        this.dialect = dataSource.dialectOf(delegate);
        this.info = new ConnectionInfo(IDS.incrementAndGet(), dataSource, () -> dialect.currentSchema(delegate),
                new Session());
        boolean ac = true;
        try {
            ac = delegate.getAutoCommit();
        } catch (Throwable t) {
            InternalErrors.record("reading autocommit of a new connection", t);
        }
        Isolation iso = null;
        try {
            iso = dialect.isolationAtOpen(delegate, dataSource.serverFacts().defaultIsolationIfKnown());
        } catch (Throwable t) {
            InternalErrors.record("reading the isolation of a new connection", t);
        }
        this.tx = new TransactionTracker(dialect, ac, iso, (id, type) -> {
            if (bus.readsTransactionEnds()) {
                bus.transactionEnded(new TransactionEvent(info, id, type, System.nanoTime(), Thread.currentThread()));
            }
        });
        this.savepoints = new GuardSavepoints(delegate, dialect, tx);
        dataSource.serverFacts().start();
        this.syntax = dialect.sessionSyntax(dataSource.serverFacts().modesIfKnown(), dataSource.sessionVariables());
        bus.connectionOpened(info);
    }

    /** The shape of a text as this session reads it, or {@code null} if the guard failed on it (fail-open). */
    SqlShape shapeOf(String sql) {
        return Exec.shapeOf(sql, syntax);
    }

    /** The database this connection talks to. */
    Dialect dialect() {
        return dialect;
    }

    /** The facts' name for this connection. */
    public ConnectionInfo info() {
        return info;
    }

    // ---- shapes and executions ------------------------------------------------------------------

    boolean inTransaction() {
        return tx.inTransaction();
    }

    /** The effective isolation of the current transaction, or {@code null} if unknown. */
    Isolation isolation() {
        return tx.isolation();
    }

    /** Starts an execution record if a listener wants this kind; {@code null} otherwise. */
    ExecutionFact record(String sql, SqlShape shape, Object[] params) {
        return shape == null || !interest.executions(shape.kind(), inTransaction()) ? null
                : exec(sql, shape, params == null ? null : params.clone(), -1);
    }

    /** Starts the record of one batch entry (its values already a copy) if a listener wants this kind. */
    ExecutionFact recordEntry(String sql, SqlShape shape, Object[] entryParams, int index) {
        return shape == null || !interest.executions(shape.kind(), inTransaction()) ? null : exec(sql, shape, entryParams, index);
    }

    /**
     * Shows a statement about to run to the listeners that want it before, and returns their decision
     * for this one execution: the text to run instead ({@code guard.recovery=fresh-read}), or
     * {@code null} to run it as written. The caller applies it to its own execution, or drops it;
     * nothing is left behind for a later statement. Throws only the {@link UnsafePatternException} of
     * strict mode; then the statement must not run.
     */
    String decide(String sql, SqlShape shape, Object[] params, int batchIndex) throws UnsafePatternException {
        if (shape == null) {
            return null;
        }
        ExecutionFact planned;
        try {
            if (!interest.before(shape.kind()) || !bus.wantsBefore(shape, interest.activeListeners())) {
                return null;
            }
            planned = FactBus.planned(info, tx.transactionId(), inTransaction(), tx.autoCommit(), isolation(), sql, shape,
                    params == null ? null : params.clone(), batchIndex, System.nanoTime());
        } catch (Throwable t) {
            InternalErrors.record("preparing a pre-execution check", t);
            return null;
        }
        return bus.beforeExecution(planned, interest.activeListeners());
    }

    /** The guard's savepoints on this connection ({@code duplicate-aborts-transaction}'s repair). */
    final GuardSavepoints savepoints;

    /** Records a failed execution nobody records on success, when a listener reads such failures. */
    ExecutionFact recordFailure(String sql, SqlShape shape, Object[] params) {
        return shape == null || !interest.failures(shape.kind()) ? null
                : exec(sql, shape, params == null ? null : params.clone(), -1);
    }

    /** The record of an execution in the connection's present state; {@code null} if it cannot be made. */
    private ExecutionFact exec(String sql, SqlShape shape, Object[] params, int batchIndex) {
        try {
            return FactBus.running(info, tx.transactionId(), inTransaction(), tx.autoCommit(), isolation(), sql, shape,
                    params, batchIndex);
        } catch (Throwable t) {
            InternalErrors.record("recording an execution", t);
            return null;
        }
    }

    /** What the guard knows of the server session: read at open, or on the guard's own connection. */
    private final class Session implements ConnectionInfo.ServerSession {
        @Override
        public String sharedLockClause() {
            return dialect.sharedLockClause();
        }

        @Override
        public Boolean snapshotIsolation() {
            Boolean session = tx.sessionSnapshotIsolation();
            return session != null ? session : info.dataSource().serverFacts().snapshotIsolation(SERVER_FACTS_WAIT_MS);
        }
    }

    /**
     * Updates transaction state after a statement ran (successfully or not). Facts of the statement must
     * have been taken before: they carry the state it ran in.
     */
    void after(SqlShape shape, SQLException failure) {
        counters.statements.increment();
        try {
            tx.afterStatement(shape, failure);
            if (shape != null && failure == null) {
                // Session locks are the connection's, seen from every statement, read or not (Flyway
                // releases its GET_LOCK without reading the result).
                if (shape.kind() == StatementKind.LOCK_TABLES || shape.namedLock()) {
                    info.sessionLocked(true);
                }
                if (shape.kind() == StatementKind.UNLOCK_TABLES || shape.releasesNamedLock()) {
                    info.sessionLocked(false);
                }
                if (shape.kind() == StatementKind.SET) {
                    syntax = dialect.syntaxAfter(shape.set(), syntax);
                }
            }
        } catch (Throwable t) {
            InternalErrors.record("tracking transaction state", t);
        }
    }

    // ---- intercepted Connection methods ---------------------------------------------------------

    @Override
    public Statement createStatement() throws SQLException {
        return new GuardStatement(this, delegate.createStatement());
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return new GuardStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency));
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        return new GuardStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency,
                resultSetHoldability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return new GuardPreparedStatement(this, delegate.prepareStatement(sql), sql, shapeOf(sql));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return new GuardPreparedStatement(this, delegate.prepareStatement(sql, resultSetType, resultSetConcurrency),
                sql, shapeOf(sql));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
                                              int resultSetHoldability) throws SQLException {
        return new GuardPreparedStatement(this, delegate.prepareStatement(sql, resultSetType, resultSetConcurrency,
                resultSetHoldability), sql, shapeOf(sql));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return new GuardPreparedStatement(this, delegate.prepareStatement(sql, autoGeneratedKeys), sql, shapeOf(sql));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return new GuardPreparedStatement(this, delegate.prepareStatement(sql, columnIndexes), sql, shapeOf(sql));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return new GuardPreparedStatement(this, delegate.prepareStatement(sql, columnNames), sql, shapeOf(sql));
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return new GuardCallableStatement(this, delegate.prepareCall(sql), sql, shapeOf(sql));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return new GuardCallableStatement(this, delegate.prepareCall(sql, resultSetType, resultSetConcurrency), sql,
                shapeOf(sql));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
                                         int resultSetHoldability) throws SQLException {
        return new GuardCallableStatement(this, delegate.prepareCall(sql, resultSetType, resultSetConcurrency,
                resultSetHoldability), sql, shapeOf(sql));
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        return new GuardDatabaseMetaData(this, delegate.getMetaData());
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        delegate.setAutoCommit(autoCommit);
        try {
            tx.autoCommitSet(autoCommit);
        } catch (Throwable t) {
            InternalErrors.record("tracking setAutoCommit", t);
        }
    }

    @Override
    public void commit() throws SQLException {
        delegate.commit();
        transactionCall(TransactionEvent.Type.COMMIT);
    }

    @Override
    public void rollback() throws SQLException {
        delegate.rollback();
        transactionCall(TransactionEvent.Type.ROLLBACK);
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        delegate.rollback(savepoint);
    }

    private void transactionCall(TransactionEvent.Type type) {
        try {
            tx.ended(type);
        } catch (Throwable t) {
            InternalErrors.record("tracking " + type, t);
        }
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        Isolation chosen = Isolation.ofJdbc(level);
        if (chosen != null) {
            bus.beforeIsolationChange(info, chosen);
        }
        delegate.setTransactionIsolation(level);
        tx.isolationSet(Isolation.ofJdbc(level));
    }

    @Override
    public void close() throws SQLException {
        try {
            if (!closed && inTransaction() && bus.readsTransactionEnds()) {
                bus.transactionEnded(new TransactionEvent(info, tx.transactionId(), TransactionEvent.Type.CLOSED,
                        System.nanoTime(), Thread.currentThread()));
            }
        } catch (Throwable t) {
            InternalErrors.record("closing a connection", t);
        }
        closed = true;
        delegate.close();
    }

    @Override
    public String toString() {
        return "GuardConnection#" + info.id() + "[" + delegate + "]";
    }

    /**
     * Also true for this class as another class loader defines it (the Java agent's guard lives in a loader
     * of its own): "is this connection guarded already?" is then answered through any pool's proxy, so that
     * every way in guards a connection exactly once. Such a class cannot be unwrapped to.
     */
    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || iface.getName().equals(GuardConnection.class.getName())
                || delegate.isWrapperFor(iface);
    }
}
