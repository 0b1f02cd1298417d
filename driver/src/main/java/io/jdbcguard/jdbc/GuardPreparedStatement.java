package io.jdbcguard.jdbc;

import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.internal.InternalErrors;
import io.jdbcguard.sql.SqlShape;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The guard's prepared statement. Its shape is resolved once, at prepare time; bound values are kept
 * (in one small array, only while a listener wants the statement's kind) so facts can name them.
 */
public class GuardPreparedStatement extends ForwardingPreparedStatement {

    final String sql;
    final SqlShape shape;
    /** Index 1..n: the values bound; allocated on the first bind a listener wants. */
    private Object[] params;
    private List<Object[]> batchParams;
    /**
     * The real statement of a rewritten execution, whose results the application reads; volatile, since
     * {@code cancel()} and {@code close()} may come from another thread while it runs.
     */
    private volatile PreparedStatement rewrittenSource;

    GuardPreparedStatement(GuardConnection connection, PreparedStatement delegate, String sql, SqlShape shape) {
        super(connection, delegate);
        this.sql = sql;
        this.shape = shape;
    }

    @Override
    final void bind(int parameterIndex, Object value) {
        if (shape == null || parameterIndex < 1) {
            return;
        }
        Object[] p = params;
        if (p == null || parameterIndex >= p.length) {
            p = Arrays.copyOf(p == null ? new Object[0] : p, Math.max(parameterIndex, shape.paramCount()) + 1);
            params = p;
        }
        p[parameterIndex] = value;
    }

    /** Whether this statement keeps its bound values (an active listener reads them, after it runs or before). */
    @Override
    final boolean recording() {
        return shape != null && connection.interest.values(shape.kind(), connection.inTransaction());
    }

    @Override
    java.sql.Statement resultSource() {
        return rewrittenSource != null ? rewrittenSource : psDelegate;
    }

    @Override
    public void clearParameters() throws SQLException {
        psDelegate.clearParameters();
        if (params != null) {
            Arrays.fill(params, null);
        }
    }

    /** A call on the real statement this execution runs. */
    @FunctionalInterface
    private interface Call<T> {
        T run(PreparedStatement target) throws SQLException;
    }

    /** What follows a successful call: the fact and the transaction state, and what the application gets. */
    @FunctionalInterface
    private interface Done<T> {
        T after(GuardPreparedStatement st, ExecutionFact exec, T result);
    }

    private static final Done<ResultSet> QUERIED = (st, exec, rs) -> st.queried(rs, exec, st.shape);
    private static final Done<Boolean> EXECUTED = (st, exec, r) -> {
        st.executed(exec, st.shape, r);
        return r;
    };
    private static final Done<Number> UPDATED = (st, exec, n) -> {
        st.updated(exec, st.shape, n.longValue());
        return n;
    };

    /**
     * The one execute template: the guard's decision for this execution (refuse, or the fresh-read text
     * for a read), the record, the call on the real statement, the fact of its outcome. The update calls
     * run the statement as written: a decision to rewrite a read is dropped with the execution.
     */
    private <T> T run(boolean read, Call<T> call, Done<T> done) throws SQLException {
        String decision = connection.decide(sql, shape, params, -1);
        ExecutionFact exec = connection.record(sql, shape, params);
        String rewritten = GuardSavepoints.rewriteOf(decision);
        PreparedStatement target = target(read ? rewritten : null);
        java.sql.Savepoint sp = null;
        T result;
        try {
            sp = connection.savepoints.take(decision);
            result = call.run(target);
        } catch (SQLException e) {
            connection.savepoints.done(sp, e);
            throw failed(exec, sql, shape, params, target != psDelegate ? rewritten : null, e);
        }
        connection.savepoints.done(sp, null);
        return done.after(this, exec, result);
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return run(true, PreparedStatement::executeQuery, QUERIED);
    }

    @Override
    public boolean execute() throws SQLException {
        return run(true, PreparedStatement::execute, EXECUTED);
    }

    @Override
    public int executeUpdate() throws SQLException {
        return run(false, PreparedStatement::executeUpdate, UPDATED).intValue();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return run(false, PreparedStatement::executeLargeUpdate, UPDATED).longValue();
    }

    /**
     * The real statement this execution runs: the application's own, or, for a rewritten read, a
     * statement of the real driver for the rewritten text with this statement's values and settings
     * (the rule that asked for the rewrite checked that every value can be carried over). If that
     * statement cannot be made, the application's own runs, as written (fail-open).
     */
    private PreparedStatement target(String rewritten) {
        closeRewritten();
        if (rewritten == null) {
            return psDelegate;
        }
        PreparedStatement alt = null;
        try {
            PreparedStatement own = psDelegate;
            alt = connection.delegate.prepareStatement(rewritten, own.getResultSetType(),
                    own.getResultSetConcurrency(), own.getResultSetHoldability());
            alt.setQueryTimeout(own.getQueryTimeout());
            alt.setFetchSize(own.getFetchSize());
            alt.setMaxRows(own.getMaxRows());
            alt.setMaxFieldSize(own.getMaxFieldSize());
            if (own.getFetchDirection() != ResultSet.FETCH_FORWARD) {
                alt.setFetchDirection(own.getFetchDirection());
            }
            for (int i = 1; i <= shape.paramCount(); i++) {
                Object v = params == null || i >= params.length ? null : params[i];
                if (v == null) {
                    alt.setNull(i, java.sql.Types.NULL);
                } else {
                    alt.setObject(i, v);
                }
            }
            rewrittenSource = alt;
            return alt;
        } catch (Throwable t) {
            InternalErrors.record("preparing a rewritten read", t);
            if (alt != null) {
                try {
                    alt.close();
                } catch (Throwable ignored) {
                    // Nothing more to do: the application's statement runs as written.
                }
            }
            return psDelegate;
        }
    }

    /** The statement of a previous rewritten execution ends when the next execution starts, as its results do. */
    private void closeRewritten() {
        PreparedStatement alt = rewrittenSource;
        rewrittenSource = null;
        if (alt != null) {
            try {
                alt.close();
            } catch (Throwable t) {
                InternalErrors.record("closing a rewritten read", t);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        closeRewritten();
        super.close();
    }

    @Override
    public void addBatch() throws SQLException {
        psDelegate.addBatch();
        if (recording()) {
            if (batchParams == null) {
                batchParams = new ArrayList<>();
            }
            batchParams.add(params == null ? new Object[0] : params.clone());
        }
    }

    @Override
    void clearBatchRecords() {
        super.clearBatchRecords();
        batchParams = null;
    }

    @Override
    void checkBatch() throws SQLException {
        List<Object[]> entries = batchParams;
        if (entries == null) {
            super.checkBatch();
            return;
        }
        for (int i = 0; i < entries.size(); i++) {
            connection.decide(sql, shape, entries.get(i), i); // entries run as written
        }
    }

    @Override
    void batchDone(long start, long[] counts, SQLException failure) {
        List<Object[]> entries = batchParams;
        batchParams = null;
        if (entries == null) {
            super.batchDone(start, counts, failure);
            return;
        }
        for (int i = 0; i < entries.size(); i++) {
            ExecutionFact entry = connection.recordEntry(sql, shape, entries.get(i), i);
            Exec.publishBatchEntry(connection.bus, entry, i, counts, failure);
            connection.after(shape, counts != null && i < counts.length ? null : failure);
        }
    }

    @Override
    public String toString() {
        return "GuardPreparedStatement[" + psDelegate + "]";
    }
}
