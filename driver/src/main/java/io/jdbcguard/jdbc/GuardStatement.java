package io.jdbcguard.jdbc;

import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.internal.InternalErrors;
import io.jdbcguard.sql.SqlShape;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The guard's statement. Intercepts the {@code execute*} family and batches to turn executions into facts,
 * {@code getResultSet} to wrap results, and {@code getConnection} to return the guard's connection.
 * Exceptions from the real driver reach the application as the same objects.
 */
public class GuardStatement extends ForwardingStatement {

    final GuardConnection connection;
    /** Texts added with {@code addBatch(String)}, kept only while a listener is registered. */
    private List<String> batchTexts;
    /** The execution whose result set the application has not fetched yet ({@code execute} returned true). */
    private ExecutionFact pendingResult;
    private ResultSet lastDelegateResult;
    private GuardResultSet lastResult;

    GuardStatement(GuardConnection connection, Statement delegate) {
        super(delegate);
        this.connection = connection;
    }

    @Override
    public final Connection getConnection() {
        return connection;
    }

    @Override
    final ResultSet wrapResultSet(ResultSet rs) {
        return rs == null ? null : new GuardResultSet(rs, this, connection, null);
    }

    /** Wraps a result set of an execution; the fact is published at its first {@code next()}. */
    final ResultSet queried(ResultSet rs, ExecutionFact exec, SqlShape shape) {
        Exec.ended(exec);
        connection.after(shape, null);
        if (rs == null) {
            return null;
        }
        GuardResultSet wrapped = new GuardResultSet(rs, this, connection, exec);
        lastDelegateResult = rs;
        lastResult = wrapped;
        return wrapped;
    }

    /**
     * An execution failed: its fact is published and the driver's exception is returned as the driver
     * threw it (class, SQLState, vendor code, stack). Where the guard ran a rewritten text, the
     * explanation travels as a suppressed exception of the driver's.
     */
    final SQLException failed(ExecutionFact exec, String sql, SqlShape shape, Object[] params, String rewritten,
                              SQLException e) {
        Exec.publish(connection.bus, exec != null ? exec : connection.recordFailure(sql, shape, params), Outcome.failed(e));
        connection.after(shape, e);
        if (rewritten != null) {
            try {
                e.addSuppressed(new SQLException("jdbc-guard ran this read as a shared-lock read (fresh read after"
                        + " a duplicate key, guard.recovery=fresh-read): " + rewritten
                        + (connection.dialect().rolledBackWholeTransaction(e.getErrorCode(), e.getSQLState())
                        ? "; the server rolled back the whole transaction" : ""), e.getSQLState(), e.getErrorCode()));
            } catch (Throwable t) {
                InternalErrors.record("explaining a failed rewritten read", t);
            }
        }
        return e;
    }

    final void updated(ExecutionFact exec, SqlShape shape, long count) {
        Exec.publish(connection.bus, exec, Outcome.updateCount(count));
        connection.after(shape, null);
    }

    /** After {@code execute}: the fact waits for the result set, or takes the update count now. */
    final void executed(ExecutionFact exec, SqlShape shape, boolean hasResultSet) {
        if (exec != null) {
            if (hasResultSet) {
                Exec.ended(exec);
                pendingResult = exec;
            } else {
                long count = -1;
                try {
                    count = resultSource().getUpdateCount();
                } catch (Throwable t) {
                    InternalErrors.record("reading an update count", t);
                }
                Exec.publish(connection.bus, exec, Outcome.updateCount(count));
            }
        }
        connection.after(shape, null);
    }

    /** The real statement whose results the application reads (a rewritten execution's, or the delegate). */
    Statement resultSource() {
        return delegate;
    }

    // ---- what reaches the running execution: its own real statement ----------------------------
    // Where the guard ran a rewritten read on a statement of its own, a cancel from another thread, the
    // update count, more results and warnings are that statement's, as they would be straight.

    @Override
    public void cancel() throws SQLException {
        resultSource().cancel();
    }

    @Override
    public int getUpdateCount() throws SQLException {
        return resultSource().getUpdateCount();
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        return resultSource().getLargeUpdateCount();
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        return resultSource().getMoreResults();
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        return resultSource().getMoreResults(current);
    }

    @Override
    public java.sql.SQLWarning getWarnings() throws SQLException {
        return resultSource().getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        Statement source = resultSource();
        if (source != delegate) {
            source.clearWarnings();
        }
        delegate.clearWarnings();
    }

    private boolean closeOnCompletion;

    @Override
    public void closeOnCompletion() throws SQLException {
        delegate.closeOnCompletion();
        closeOnCompletion = true;
    }

    /**
     * A result set of this statement was closed: with {@code closeOnCompletion}, where it came from a
     * rewritten execution's statement, this statement closes too, as the real one would have.
     */
    final void resultClosed() throws SQLException {
        if (closeOnCompletion && resultSource() != delegate) {
            close();
        }
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        ResultSet rs = resultSource().getResultSet();
        if (rs == null) {
            return null;
        }
        if (rs == lastDelegateResult) {
            return lastResult;
        }
        ExecutionFact exec = pendingResult;
        pendingResult = null;
        GuardResultSet wrapped = new GuardResultSet(rs, this, connection, exec);
        lastDelegateResult = rs;
        lastResult = wrapped;
        return wrapped;
    }

    // ---- execute family (text given at execution) -----------------------------------------------

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        SqlShape shape = connection.shapeOf(sql);
        String decision = connection.decide(sql, shape, null, -1);
        ExecutionFact exec = connection.record(sql, shape, null);
        String rewritten = GuardSavepoints.rewriteOf(decision);
        java.sql.Savepoint sp = null;
        ResultSet rs;
        try {
            sp = connection.savepoints.take(decision);
            rs = delegate.executeQuery(rewritten != null ? rewritten : sql);
        } catch (SQLException e) {
            connection.savepoints.done(sp, e);
            throw failed(exec, sql, shape, null, rewritten, e);
        }
        connection.savepoints.done(sp, null);
        return queried(rs, exec, shape);
    }

    /** An update call on the real statement. */
    @FunctionalInterface
    private interface UpdateCall {
        long run() throws SQLException;
    }

    /** An {@code execute} call on the real statement, given the text to run (the rewritten one, if any). */
    @FunctionalInterface
    private interface ExecuteCall {
        boolean run(String text) throws SQLException;
    }

    /**
     * The update family runs the text as written: a decision to rewrite (made only for reads, which the
     * update calls refuse) is dropped with this execution.
     */
    private long update(String sql, UpdateCall call) throws SQLException {
        SqlShape shape = connection.shapeOf(sql);
        String decision = connection.decide(sql, shape, null, -1);
        ExecutionFact exec = connection.record(sql, shape, null);
        java.sql.Savepoint sp = null;
        long n;
        try {
            sp = connection.savepoints.take(decision);
            n = call.run();
        } catch (SQLException e) {
            connection.savepoints.done(sp, e);
            throw failed(exec, sql, shape, null, null, e);
        }
        connection.savepoints.done(sp, null);
        updated(exec, shape, n);
        return n;
    }

    private boolean execute(String sql, ExecuteCall call) throws SQLException {
        SqlShape shape = connection.shapeOf(sql);
        String decision = connection.decide(sql, shape, null, -1);
        ExecutionFact exec = connection.record(sql, shape, null);
        String rewritten = GuardSavepoints.rewriteOf(decision);
        java.sql.Savepoint sp = null;
        boolean r;
        try {
            sp = connection.savepoints.take(decision);
            r = call.run(rewritten != null ? rewritten : sql);
        } catch (SQLException e) {
            connection.savepoints.done(sp, e);
            throw failed(exec, sql, shape, null, rewritten, e);
        }
        connection.savepoints.done(sp, null);
        executed(exec, shape, r);
        return r;
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        return (int) update(sql, () -> delegate.executeUpdate(sql));
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return (int) update(sql, () -> delegate.executeUpdate(sql, autoGeneratedKeys));
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return (int) update(sql, () -> delegate.executeUpdate(sql, columnIndexes));
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        return (int) update(sql, () -> delegate.executeUpdate(sql, columnNames));
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        return update(sql, () -> delegate.executeLargeUpdate(sql));
    }

    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return update(sql, () -> delegate.executeLargeUpdate(sql, autoGeneratedKeys));
    }

    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return update(sql, () -> delegate.executeLargeUpdate(sql, columnIndexes));
    }

    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        return update(sql, () -> delegate.executeLargeUpdate(sql, columnNames));
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        return execute(sql, text -> delegate.execute(text));
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return execute(sql, text -> delegate.execute(text, autoGeneratedKeys));
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        return execute(sql, text -> delegate.execute(text, columnIndexes));
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return execute(sql, text -> delegate.execute(text, columnNames));
    }

    // ---- batches --------------------------------------------------------------------------------

    @Override
    public void addBatch(String sql) throws SQLException {
        delegate.addBatch(sql);
        if (connection.bus.active()) {
            // Kept while anyone listens: entries are shown to listeners before and after the batch runs.
            if (batchTexts == null) {
                batchTexts = new ArrayList<>();
            }
            batchTexts.add(sql);
        }
    }

    @Override
    public void clearBatch() throws SQLException {
        delegate.clearBatch();
        clearBatchRecords();
    }

    void clearBatchRecords() {
        batchTexts = null;
    }

    /** Shows every batch entry to the pre-execution listeners; strict mode refuses the whole batch. */
    void checkBatch() throws SQLException {
        List<String> texts = batchTexts;
        if (texts != null) {
            for (int i = 0; i < texts.size(); i++) {
                // A batch runs its entries as written; only strict mode's refusal applies.
                connection.decide(texts.get(i), connection.shapeOf(texts.get(i)), null, i);
            }
        }
    }

    @Override
    public int[] executeBatch() throws SQLException {
        checkBatch();
        long start = System.nanoTime();
        int[] counts;
        try {
            counts = delegate.executeBatch();
        } catch (SQLException e) {
            batchDone(start, e instanceof BatchUpdateException ? Exec.toLong(((BatchUpdateException) e).getUpdateCounts())
                    : null, e);
            throw e;
        }
        batchDone(start, Exec.toLong(counts), null);
        return counts;
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkBatch();
        long start = System.nanoTime();
        long[] counts;
        try {
            counts = delegate.executeLargeBatch();
        } catch (SQLException e) {
            batchDone(start, e instanceof BatchUpdateException
                    ? ((BatchUpdateException) e).getLargeUpdateCounts() : null, e);
            throw e;
        }
        batchDone(start, counts, null);
        return counts;
    }

    /**
     * Publishes one fact per batch entry: entry {@code i} gets count {@code i}, or the failure when the
     * driver reported no count for it; then tracks state as if each entry ran on its own.
     */
    void batchDone(long start, long[] counts, SQLException failure) {
        List<String> texts = batchTexts;
        batchTexts = null;
        if (texts == null) {
            return;
        }
        for (int i = 0; i < texts.size(); i++) {
            String sql = texts.get(i);
            SqlShape shape = connection.shapeOf(sql);
            ExecutionFact entry = connection.recordEntry(sql, shape, null, i);
            Exec.publishBatchEntry(connection.bus, entry, i, counts, failure);
            connection.after(shape, counts != null && i < counts.length ? null : failure);
        }
    }

    @Override
    public String toString() {
        return "GuardStatement[" + delegate + "]";
    }
}
