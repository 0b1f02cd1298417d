package io.jdbcguard.jdbc;

import io.jdbcguard.fact.FactBus;
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
    /** The real statement of a rewritten {@code execute()}, whose results the application reads. */
    private PreparedStatement rewrittenSource;

    GuardPreparedStatement(GuardConnection connection, PreparedStatement delegate, String sql, SqlShape shape) {
        super(connection, delegate);
        this.sql = sql;
        this.shape = shape;
    }

    @Override
    final void bind(int parameterIndex, Object value) {
        if (shape == null || parameterIndex < 1 || !recording()) {
            return;
        }
        Object[] p = params;
        if (p == null || parameterIndex >= p.length) {
            p = Arrays.copyOf(p == null ? new Object[0] : p, Math.max(parameterIndex, shape.paramCount()) + 1);
            params = p;
        }
        p[parameterIndex] = value;
    }

    /** Whether a listener will read this statement's values, after it runs or before. */
    private boolean recording() {
        return FactBus.wants(shape.kind()) || FactBus.wantsBefore(shape);
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

    @Override
    public ResultSet executeQuery() throws SQLException {
        Exec exec = connection.begin(sql, shape, params);
        String rewritten = connection.takeRewrite();
        rewrittenSource = null;
        ResultSet rs;
        try {
            if (rewritten != null) {
                rewrittenSource = rewrittenStatement(rewritten);
                rs = rewrittenSource.executeQuery();
            } else {
                rs = psDelegate.executeQuery();
            }
        } catch (SQLException e) {
            failed(exec, sql, shape, params, e);
            throw rewritten != null ? rewriteFailed(e, rewritten) : e;
        }
        return queried(rs, exec, shape);
    }

    /**
     * A statement of the real driver for the rewritten text, with this statement's bound values (the rule
     * that asked for the rewrite checked that every value is known). It closes with its result set.
     */
    private PreparedStatement rewrittenStatement(String rewritten) throws SQLException {
        PreparedStatement alt = connection.delegate.prepareStatement(rewritten);
        try {
            for (int i = 1; i <= shape.paramCount(); i++) {
                Object v = params == null || i >= params.length ? null : params[i];
                if (v == null) {
                    alt.setNull(i, java.sql.Types.NULL);
                } else {
                    alt.setObject(i, v);
                }
            }
            alt.closeOnCompletion();
            return alt;
        } catch (SQLException | RuntimeException e) {
            alt.close();
            throw e;
        }
    }

    @Override
    public int executeUpdate() throws SQLException {
        Exec exec = connection.begin(sql, shape, params);
        int n;
        try {
            n = psDelegate.executeUpdate();
        } catch (SQLException e) {
            throw failed(exec, sql, shape, params, e);
        }
        updated(exec, shape, n);
        return n;
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        Exec exec = connection.begin(sql, shape, params);
        long n;
        try {
            n = psDelegate.executeLargeUpdate();
        } catch (SQLException e) {
            throw failed(exec, sql, shape, params, e);
        }
        updated(exec, shape, n);
        return n;
    }

    @Override
    public boolean execute() throws SQLException {
        Exec exec = connection.begin(sql, shape, params);
        String rewritten = connection.takeRewrite();
        rewrittenSource = null;
        boolean r;
        try {
            if (rewritten != null) {
                rewrittenSource = rewrittenStatement(rewritten);
                r = rewrittenSource.execute();
            } else {
                r = psDelegate.execute();
            }
        } catch (SQLException e) {
            failed(exec, sql, shape, params, e);
            throw rewritten != null ? rewriteFailed(e, rewritten) : e;
        }
        executed(exec, shape, r);
        return r;
    }

    @Override
    public void addBatch() throws SQLException {
        psDelegate.addBatch();
        if (shape != null && recording()) {
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
            connection.checkBefore(sql, shape, entries.get(i), i);
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
            Exec exec = connection.record(sql, shape, null);
            publishBatchEntry(exec, i, entries.get(i), counts, failure, start);
            connection.after(shape, counts != null && i < counts.length ? null : failure);
        }
    }

    @Override
    public String toString() {
        return "GuardPreparedStatement[" + psDelegate + "]";
    }
}
