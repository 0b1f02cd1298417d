package io.jdbcguard;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Runs a unit of work in a transaction and, when it fails in a way worth retrying (a duplicate key, a
 * deadlock, a lock-wait timeout, a snapshot conflict, a serialization failure: {@link RetryPolicy}), rolls
 * back and runs it again in a fresh transaction, with jittered exponential backoff, a bounded number of
 * times. The last failure is rethrown with the earlier ones attached as suppressed exceptions. A failure
 * during COMMIT is retried only when the server says it rolled the transaction back (Galera's certification
 * failure, Group Replication's 3101, a serialization failure at COMMIT); any other (the commit may have taken
 * effect) is thrown as a {@link CommitFailedException}, never retried. Works through the guard and straight on
 * any JDBC driver.
 *
 * <pre>{@code
 * long id = Retry.inTransaction(dataSource, RetryPolicy.defaults(), c -> {
 *     try (PreparedStatement s = c.prepareStatement("SELECT id FROM users WHERE email = ?")) {
 *         s.setString(1, email);
 *         try (ResultSet rs = s.executeQuery()) {
 *             if (rs.next()) return rs.getLong(1);          // on a retry, the winner's row is found here
 *         }
 *     }
 *     try (PreparedStatement i = c.prepareStatement("INSERT INTO users (email) VALUES (?)", RETURN_GENERATED_KEYS)) {
 *         i.setString(1, email);
 *         i.executeUpdate();                                // a duplicate key (1062) is retried
 *         try (ResultSet k = i.getGeneratedKeys()) { k.next(); return k.getLong(1); }
 *     }
 * });
 * }</pre>
 */
public final class Retry {

    /** A unit of work on a connection in a transaction; it must not commit or roll back itself. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private Retry() {
    }

    /** Runs the work in a transaction on a new connection of the data source per attempt. */
    public static <T> T inTransaction(DataSource dataSource, RetryPolicy policy, Work<T> work) throws SQLException {
        List<SQLException> earlier = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                return once(c, work);
            } catch (SQLException e) {
                after(policy, attempt, e, earlier);
            }
        }
    }

    /** Runs the work in a transaction on this connection, again on it after a rollback; restores autocommit. */
    public static <T> T inTransaction(Connection connection, RetryPolicy policy, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        List<SQLException> earlier = new ArrayList<>();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return once(connection, work);
                } catch (SQLException e) {
                    after(policy, attempt, e, earlier);
                }
            }
        } finally {
            try {
                if (!connection.isClosed() && connection.getAutoCommit() != autoCommit) {
                    connection.setAutoCommit(autoCommit);
                }
            } catch (SQLException ignored) {
                // The connection broke; the failure that broke it is what the caller gets.
            }
        }
    }

    private static <T> T once(Connection c, Work<T> work) throws SQLException {
        if (c.getAutoCommit()) {
            c.setAutoCommit(false);
        }
        T result;
        try {
            result = work.run(c);
        } catch (SQLException | RuntimeException | Error e) {
            rollback(c, e);
            throw e;
        }
        try {
            c.commit();
        } catch (SQLException e) {
            if (RetryPolicy.rolledBackAtCommit(e)) {
                rollback(c, e); // the server already did; this ends the transaction on the client side too
                throw e;
            }
            throw new CommitFailedException(e);
        }
        return result;
    }

    private static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    /** Rethrows unless the failure is retryable and attempts remain; then sleeps the backoff. */
    private static void after(RetryPolicy policy, int attempt, SQLException e, List<SQLException> earlier)
            throws SQLException {
        if (e instanceof CommitFailedException || attempt >= policy.maxAttempts() || !policy.isRetryable(e)) {
            for (SQLException x : earlier) {
                e.addSuppressed(x);
            }
            throw e;
        }
        earlier.add(e);
        Duration d = policy.delayAfter(attempt);
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            for (SQLException x : earlier) {
                if (x != e) {
                    e.addSuppressed(x);
                }
            }
            throw e;
        }
    }

    /**
     * COMMIT failed: the transaction may or may not have been committed (a lost connection can hide either),
     * so {@link Retry} does not run the work again. The server's exception is the cause.
     */
    public static final class CommitFailedException extends SQLException {
        private static final long serialVersionUID = 1L;

        CommitFailedException(SQLException cause) {
            super("jdbc-guard Retry: COMMIT failed, so the transaction may or may not have been committed; "
                    + "not retried: " + cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
        }
    }
}
