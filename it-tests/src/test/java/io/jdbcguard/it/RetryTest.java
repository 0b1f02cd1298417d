package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jdbcguard.GuardDataSource;
import io.jdbcguard.Retry;
import io.jdbcguard.RetryPolicy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The retry helper against failures provoked for real on the server. */
class RetryTest {

    static final RetryPolicy FAST = RetryPolicy.builder().maxAttempts(4)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(20)).build();

    @BeforeEach
    void table() {
        TestDatabase.exec("DROP TABLE IF EXISTS rt_acc", "CREATE TABLE rt_acc (id INT PRIMARY KEY, n INT NOT NULL)",
                "INSERT INTO rt_acc VALUES (1, 0), (2, 0)");
    }

    @Test
    void aRealDeadlockIsRolledBackAndRetried() throws Exception {
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        List<Integer> failures = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        GuardDataSource ds = new GuardDataSource();
        ds.setUrl(TestDatabase.guardUrl());
        try {
            Future<?> a = pool.submit(() -> transfer(ds, 1, 2, bothHoldOne, attempts, failures));
            Future<?> b = pool.submit(() -> transfer(ds, 2, 1, bothHoldOne, attempts, failures));
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdown();
        }
        assertThat(failures).as("one transaction was chosen as the deadlock victim").containsExactly(1213);
        assertThat(attempts.get()).isEqualTo(3);
        try (Connection c = TestDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SUM(n) FROM rt_acc")) {
            rs.next();
            assertThat(rs.getInt(1)).as("both units of work committed exactly once").isEqualTo(4);
        }
    }

    private static Void transfer(GuardDataSource ds, int first, int second, CountDownLatch bothHoldOne,
                                 AtomicInteger attempts, List<Integer> failures) throws SQLException {
        return Retry.inTransaction(ds, FAST, c -> {
            attempts.incrementAndGet();
            try (Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE rt_acc SET n = n + 1 WHERE id = " + first);
                bothHoldOne.countDown();
                try {
                    bothHoldOne.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                try {
                    st.executeUpdate("UPDATE rt_acc SET n = n + 1 WHERE id = " + second);
                } catch (SQLException e) {
                    failures.add(e.getErrorCode());
                    throw e;
                }
            }
            return null;
        });
    }

    @Test
    void aLockWaitTimeoutIsRetriedWhenOptedIn() throws Exception {
        RetryPolicy optedIn = RetryPolicy.builder().maxAttempts(4).backoff(Duration.ofMillis(1), Duration.ofMillis(20))
                .retryLockWaitTimeouts(true).build();
        assertThat(lockWaitTimeout(optedIn, true)).containsExactly(1205, 2);
    }

    @Test
    void aLockWaitTimeoutIsNotRetriedByDefault() throws Exception {
        assertThat(lockWaitTimeout(FAST, false)).as("1205 thrown after one attempt").containsExactly(1205, 1);
    }

    /** One unit of work that waits for a row lock another session holds: [the failure's code, attempts]. */
    private static List<Integer> lockWaitTimeout(RetryPolicy policy, boolean expectSuccess) throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        List<Integer> failures = new CopyOnWriteArrayList<>();
        try (Connection holder = TestDatabase.raw(); Statement h = holder.createStatement();
             Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
            holder.setAutoCommit(false);
            h.executeQuery("SELECT * FROM rt_acc WHERE id = 1 FOR UPDATE").close();
            st.execute("SET SESSION innodb_lock_wait_timeout = 1");
            try {
                Retry.inTransaction(c, policy, conn -> {
                    if (attempts.incrementAndGet() == 2) {
                        holder.rollback(); // the other session lets go before the second attempt
                    }
                    try (Statement s = conn.createStatement()) {
                        s.executeUpdate("UPDATE rt_acc SET n = 10 WHERE id = 1");
                    } catch (SQLException e) {
                        failures.add(e.getErrorCode());
                        throw e;
                    }
                    return null;
                });
                assertThat(expectSuccess).as("the unit of work succeeded").isTrue();
            } catch (SQLException e) {
                assertThat(expectSuccess).as("the unit of work failed: " + e).isFalse();
                assertThat(e.getErrorCode()).isEqualTo(1205);
            }
            assertThat(c.getAutoCommit()).as("autocommit restored").isTrue();
        }
        failures.add(attempts.get());
        return failures;
    }

    @Test
    void aFailureThatIsNotRetryableIsNotRetried() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (Connection c = TestDatabase.guarded()) {
            assertThatThrownBy(() -> Retry.inTransaction(c, FAST, conn -> {
                attempts.incrementAndGet();
                try (Statement s = conn.createStatement()) {
                    s.executeUpdate("UPDATE rt_acc SET nope = 1");
                }
                return null;
            })).isInstanceOf(SQLSyntaxErrorException.class);
        }
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void attemptsAreBoundedAndEarlierFailuresSuppressed() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (Connection c = TestDatabase.guarded()) {
            assertThatThrownBy(() -> Retry.inTransaction(c, FAST, conn -> {
                attempts.incrementAndGet();
                try (Statement s = conn.createStatement()) {
                    s.executeUpdate("INSERT INTO rt_acc VALUES (1, 0)"); // a real duplicate key, every time
                }
                return null;
            })).isInstanceOf(java.sql.SQLIntegrityConstraintViolationException.class)
                    .satisfies(e -> {
                        assertThat(((SQLException) e).getErrorCode()).isEqualTo(1062);
                        assertThat(e.getSuppressed()).hasSize(3);
                    });
        }
        assertThat(attempts.get()).isEqualTo(4);
    }

    @Test
    void aFailureDuringCommitIsNotRetried() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (Connection c = TestDatabase.guarded()) {
            assertThatThrownBy(() -> Retry.inTransaction(c, FAST, conn -> {
                attempts.incrementAndGet();
                long id;
                try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                    rs.next();
                    id = rs.getLong(1);
                    s.executeUpdate("UPDATE rt_acc SET n = 5 WHERE id = 2");
                }
                TestDatabase.exec("KILL CONNECTION " + id); // the server drops us before COMMIT
                return null;
            })).isInstanceOf(Retry.CommitFailedException.class).hasMessageContaining("may or may not have been committed");
        }
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void policyArgumentsAreCheckedUpFront() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RetryPolicy.defaults().maxAttempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
    }
}
