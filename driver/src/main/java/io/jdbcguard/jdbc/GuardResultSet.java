package io.jdbcguard.jdbc;

import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.internal.InternalErrors;
import io.jdbcguard.sql.Structure;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The guard's result set. Intercepts the first {@code next()}, which tells whether the query found a row
 * (and, for {@code COUNT}/{@code EXISTS} forms, the value found), {@code close()}, which reports a locking
 * read whose rows were never asked for as {@link Outcome#unread()}, and {@code getStatement()}, which
 * returns the guard's statement.
 */
public final class GuardResultSet extends ForwardingResultSet {

    private final GuardStatement statement;
    private final GuardConnection connection;
    private ExecutionFact pending;

    GuardResultSet(ResultSet delegate, GuardStatement statement, GuardConnection connection, ExecutionFact pending) {
        super(delegate);
        this.statement = statement;
        this.connection = connection;
        this.pending = pending;
    }

    @Override
    public boolean next() throws SQLException {
        boolean found = delegate.next();
        if (pending != null) {
            ExecutionFact exec = pending;
            pending = null;
            firstRow(exec, found);
        }
        return found;
    }

    private void firstRow(ExecutionFact exec, boolean found) {
        try {
            Long value = null;
            Structure s = exec.shape().structure();
            if (found && s != null && (s.form() == Structure.SelectForm.COUNT || s.form() == Structure.SelectForm.EXISTS)) {
                value = delegate.getLong(1);
            }
            connection.bus.publish(exec, Outcome.rows(found, value));
        } catch (Throwable t) {
            InternalErrors.record("analysis of a query result", t);
        }
    }

    @Override
    public void close() throws SQLException {
        if (pending != null && pending.shape().lock() != io.jdbcguard.sql.LockMode.NONE) {
            // A locking read run for its locks alone, its rows never asked for: it locked all the same.
            ExecutionFact exec = pending;
            pending = null;
            try {
                connection.bus.publish(exec, Outcome.unread());
            } catch (Throwable t) {
                InternalErrors.record("analysis of a query result", t);
            }
        }
        delegate.close();
        if (statement != null) {
            statement.resultClosed();
        }
    }

    @Override
    public Statement getStatement() throws SQLException {
        if (statement != null) {
            return statement;
        }
        // Metadata result sets: the real driver's internal statement (or none), never leaked unwrapped.
        Statement internal = delegate.getStatement();
        return internal == null ? null : new GuardStatement(connection, internal);
    }

    @Override
    public String toString() {
        return "GuardResultSet[" + delegate + "]";
    }
}
