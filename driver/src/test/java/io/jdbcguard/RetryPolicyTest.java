package io.jdbcguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Which failures {@link RetryPolicy} retries, engine by engine, by the codes and SQLStates the engines'
 * drivers report (the MariaDB shapes are provoked for real in it-tests' {@code RetryTest}; the others cannot be
 * made here, so they are built with the code, SQLState and exception class their drivers use), and the one
 * rule at COMMIT: retried only when the server said it rolled the transaction back.
 */
class RetryPolicyTest {

    private static final RetryPolicy FAST = RetryPolicy.builder().maxAttempts(3)
            .backoff(Duration.ZERO, Duration.ZERO).build();

    /** pgJDBC's PSQLException: a plain SQLException subclass with the SQLState and vendor code 0. */
    static final class PSQLExceptionShape extends SQLException {
        PSQLExceptionShape(String message, String state) {
            super(message, state, 0);
        }
    }

    @Test
    void mysqlAndMariadb() {
        assertThat(RetryPolicy.isTransient(new SQLTransactionRollbackException(
                "Deadlock found when trying to get lock; try restarting transaction", "40001", 1213))).isTrue();
        assertThat(RetryPolicy.isTransient(new SQLException("Duplicate entry 'a' for key 'u'", "23000", 1062))).isTrue();
        assertThat(RetryPolicy.isTransient(new SQLException("Record has changed since last read", "HY000", 1020))).isTrue();
        assertThat(RetryPolicy.isTransient(new SQLException("Cannot add or update a child row", "23000", 1452)))
                .as("a foreign-key violation is no race").isFalse();
    }

    @Test
    void aLockWaitTimeoutIsRetriedOnlyWhenOptedIn() {
        // Connector/J reports 1205 as a transaction-rollback exception; MariaDB's driver as a plain one.
        SQLException cj = new SQLTransactionRollbackException("Lock wait timeout exceeded", "40001", 1205);
        SQLException mariadb = new SQLException("Lock wait timeout exceeded; try restarting transaction", "HY000", 1205);
        assertThat(RetryPolicy.isTransient(cj)).isFalse();
        assertThat(RetryPolicy.defaults().isRetryable(mariadb)).isFalse();
        RetryPolicy optedIn = RetryPolicy.builder().retryLockWaitTimeouts(true).build();
        assertThat(optedIn.isRetryable(cj)).isTrue();
        assertThat(optedIn.isRetryable(mariadb)).isTrue();
    }

    @Test
    void postgresql() {
        assertThat(RetryPolicy.isTransient(new PSQLExceptionShape(
                "could not serialize access due to concurrent update", "40001"))).isTrue();
        assertThat(RetryPolicy.isTransient(new PSQLExceptionShape("deadlock detected", "40P01"))).isTrue();
        assertThat(RetryPolicy.isTransient(new PSQLExceptionShape(
                "duplicate key value violates unique constraint \"u\"", "23505"))).isTrue();
        assertThat(RetryPolicy.isTransient(new PSQLExceptionShape(
                "current transaction is aborted, commands ignored until end of transaction block", "25P02")))
                .as("the aftermath, not the cause").isFalse();
        assertThat(RetryPolicy.isTransient(new PSQLExceptionShape(
                "insert or update on table \"pet\" violates foreign key constraint", "23503"))).isFalse();
    }

    @Test
    void galeraGroupReplicationAndTidb() {
        assertThat(RetryPolicy.isTransient(new SQLTransactionRollbackException(
                "WSREP detected deadlock/conflict and aborted the transaction. Try restarting the transaction",
                "40001", 1213))).as("Galera's certification failure").isTrue();
        assertThat(RetryPolicy.isTransient(new SQLException(
                "Plugin instructed the server to rollback the current transaction.", "40000", 3101)))
                .as("MySQL Group Replication").isTrue();
        assertThat(RetryPolicy.isTransient(new SQLException(
                "Write conflict, txnStartTS=1, conflictStartTS=2, conflictCommitTS=3, key={} [try again later]",
                "HY000", 9007))).as("TiDB write conflict").isTrue();
        assertThat(RetryPolicy.isTransient(new SQLException(
                "[tikv:8002] can not retry select for update statement", "HY000", 8002))).isTrue();
        assertThat(RetryPolicy.isTransient(new SQLException(
                "Write Conflict, txnStartTS is stale", "HY000", 8005))).isTrue();
        assertThat(RetryPolicy.isTransient(new SQLException("Unknown column", "42S22", 1054))).isFalse();
    }

    @Test
    void theCauseChainCounts() {
        SQLException wrapped = new SQLException("wrapped", null, 0,
                new RuntimeException(new SQLException("deadlock detected", "40P01", 0)));
        assertThat(RetryPolicy.isTransient(wrapped)).isTrue();
    }

    @Test
    void aCommitTheServerRolledBackIsRetried() throws SQLException {
        // Galera reports its certification failure at COMMIT: the transaction is rolled back, so running the
        // work again cannot apply it twice.
        AtomicInteger commits = new AtomicInteger();
        Connection c = connection(() -> {
            if (commits.incrementAndGet() == 1) {
                throw new SQLTransactionRollbackException("WSREP detected deadlock/conflict and aborted the"
                        + " transaction. Try restarting the transaction", "40001", 1213);
            }
        });
        AtomicInteger runs = new AtomicInteger();
        int result = Retry.inTransaction(c, FAST, conn -> runs.incrementAndGet());
        assertThat(result).isEqualTo(2);
        assertThat(commits.get()).isEqualTo(2);
    }

    @Test
    void aCommitWhoseOutcomeIsUnknownIsNeverRetried() {
        AtomicInteger runs = new AtomicInteger();
        Connection lost = connection(() -> {
            throw new SQLException("Communications link failure", "08S01", 0);
        });
        assertThatThrownBy(() -> Retry.inTransaction(lost, FAST, conn -> runs.incrementAndGet()))
                .isInstanceOf(Retry.CommitFailedException.class);
        assertThat(runs.get()).isEqualTo(1);
        Connection duplicateAtCommit = connection(() -> {
            throw new SQLException("duplicate key value violates unique constraint", "23505", 0);
        });
        assertThatThrownBy(() -> Retry.inTransaction(duplicateAtCommit, FAST, conn -> runs.incrementAndGet()))
                .as("a deferred constraint at COMMIT: not a conflict the server rolled back to be retried")
                .isInstanceOf(Retry.CommitFailedException.class);
        assertThat(runs.get()).isEqualTo(2);
    }

    interface Commit {
        void run() throws SQLException;
    }

    /** A connection that only knows autocommit, rollback and a commit that does what it is told: pure logic. */
    private static Connection connection(Commit commit) {
        boolean[] autoCommit = {true};
        return (Connection) Proxy.newProxyInstance(RetryPolicyTest.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getAutoCommit":
                            return autoCommit[0];
                        case "setAutoCommit":
                            autoCommit[0] = (Boolean) args[0];
                            return null;
                        case "commit":
                            commit.run();
                            return null;
                        case "rollback":
                            return null;
                        case "isClosed":
                            return false;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }
}
