package io.jdbcguard.internal;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

/** The SQLStates every database shares that the guard reads or throws; what differs per database is its dialect's. */
public final class SqlStates {

    /** Client unable to establish a connection: the guard's own configuration and driver errors use it too. */
    public static final String SQLSTATE_CONNECT = "08001";
    /** Statement interrupted ({@code KILL QUERY}, a query timeout in some drivers). */
    public static final String SQLSTATE_INTERRUPTED = "70100";

    private SqlStates() {
    }

    /**
     * Whether a throwable is the application's connection failing (SQLState class {@code 08}, an
     * interrupted statement, a closed connection), anywhere in its cause chain: an ordinary event of
     * the application's, not a failure of the guard.
     */
    public static boolean connectionFailure(Throwable t) {
        for (int i = 0; t != null && i < 10; i++, t = t.getCause()) {
            if (t instanceof SQLNonTransientConnectionException || t instanceof SQLTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException) {
                String state = ((SQLException) t).getSQLState();
                if (state != null && (state.startsWith("08") || state.equals(SQLSTATE_INTERRUPTED))) {
                    return true;
                }
            }
            String name = t.getClass().getName();
            if (name.endsWith("CommunicationsException") || name.endsWith("ConnectionIsClosedException")) {
                return true;
            }
        }
        return false;
    }
}
