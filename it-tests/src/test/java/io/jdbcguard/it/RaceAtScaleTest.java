package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Retry;
import io.jdbcguard.RetryPolicy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The race at scale, on the real server: 8 threads x 1,000 get-or-create calls over 100 keys, started
 * together behind a barrier, REPEATABLE READ, unique index on the key; three ways.
 */
class RaceAtScaleTest {

    static final int THREADS = 8;
    static final int CALLS = 1000;
    static final int KEYS = 100;

    /** What the threads saw. */
    record Counts(int errors, int misses, int rows) {
    }

    interface Call {
        /** One get-or-create; returns false when the application ended up without the row. */
        boolean run(Connection c, String email, AtomicInteger errors) throws SQLException;
    }

    private static Counts race(String url, String table, Call call) throws Exception {
        TestDatabase.exec("DROP TABLE IF EXISTS " + table, "CREATE TABLE " + table
                + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, UNIQUE KEY ux_" + table + " (email))");
        CyclicBarrier start = new CyclicBarrier(THREADS);
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger misses = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                fs.add(pool.submit(() -> {
                    try (Connection c = DriverManager.getConnection(url)) {
                        c.setAutoCommit(false);
                        start.await();
                        for (int i = 0; i < CALLS; i++) {
                            if (!call.run(c, table + "-" + (i % KEYS) + "@x", errors)) {
                                misses.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        try (Connection c = TestDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return new Counts(errors.get(), misses.get(), rs.getInt(1));
        }
    }

    static boolean exists(Connection c, String table, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " WHERE email = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static void insert(Connection c, String table, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (email) VALUES (?)")) {
            ps.setString(1, email);
            ps.executeUpdate();
        }
    }

    /** Naive: check, insert, commit; a duplicate key escapes to the caller (counted, rolled back). */
    static Call naive(String table) {
        return (c, email, errors) -> {
            try {
                if (!exists(c, table, email)) {
                    insert(c, table, email);
                }
                c.commit();
                return true;
            } catch (SQLIntegrityConstraintViolationException e) {
                errors.incrementAndGet();
                c.rollback();
                return false;
            }
        };
    }

    /** The seed's advice: catch the duplicate key and re-select in the same transaction. */
    static Call catchAndReselect(String table) {
        return (c, email, errors) -> {
            boolean found = true;
            try {
                if (!exists(c, table, email)) {
                    try {
                        insert(c, table, email);
                    } catch (SQLIntegrityConstraintViolationException dup) {
                        found = exists(c, table, email);
                    }
                }
                c.commit();
            } catch (SQLException e) {
                errors.incrementAndGet();
                c.rollback();
                return false;
            }
            return found;
        };
    }

    @Test
    void threeWays() throws Exception {
        Counts naiveRaw = race(TestDatabase.url(), "race_a", naive("race_a"));
        Counts reselectRaw = race(TestDatabase.url(), "race_b", catchAndReselect("race_b"));
        Counts reselectGuard = race(TestDatabase.guardUrl(), "race_c", catchAndReselect("race_c"));

        RetryPolicy policy = RetryPolicy.builder().maxAttempts(10).backoff(Duration.ofMillis(1), Duration.ofMillis(50)).build();
        Counts retry = race(TestDatabase.guardUrl(), "race_d", (c, email, errors) -> {
            try {
                Retry.inTransaction(c, policy, conn -> {
                    if (!exists(conn, "race_d", email)) {
                        insert(conn, "race_d", email);
                    }
                    return null;
                });
                c.setAutoCommit(false);
                return true;
            } catch (SQLException e) {
                errors.incrementAndGet();
                return false;
            }
        });
        System.out.printf("race at scale, %d threads x %d calls over %d keys:%n", THREADS, CALLS, KEYS);
        System.out.printf("  (a) naive, straight on Connector/J:               %d duplicate-key errors escaped, %d rows%n",
                naiveRaw.errors(), naiveRaw.rows());
        System.out.printf("  (b) catch-and-reselect, straight on Connector/J:  %d re-selects missed, %d errors, %d rows%n",
                reselectRaw.misses(), reselectRaw.errors(), reselectRaw.rows());
        System.out.printf("  (c) catch-and-reselect through the guard:        %d missed, %d errors, %d rows%n",
                reselectGuard.misses(), reselectGuard.errors(), reselectGuard.rows());
        System.out.printf("  (c) naive code in the retry helper, guarded:     %d missed, %d errors, %d rows%n",
                retry.misses(), retry.errors(), retry.rows());

        assertThat(naiveRaw.errors()).as("(a) shows the bug").isPositive();
        assertThat(reselectRaw.misses()).as("(b) shows the bug").isPositive();
        assertThat(reselectGuard).isEqualTo(new Counts(0, 0, KEYS));
        assertThat(retry).isEqualTo(new Counts(0, 0, KEYS));
    }
}
