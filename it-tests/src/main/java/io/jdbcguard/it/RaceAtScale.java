package io.jdbcguard.it;

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

/**
 * The race at scale, on the real server: threads started together behind a barrier run get-or-create
 * calls over a set of keys (REPEATABLE READ, unique index on the key), in four ways: naive and
 * catch-and-reselect straight on Connector/J, catch-and-reselect through the guard (fresh read), and the
 * naive code inside the retry helper through the guard.
 */
public final class RaceAtScale {

    public static final int THREADS = 8;
    public static final int CALLS = 1000;
    public static final int KEYS = 100;

    /** What the threads saw. */
    public record Counts(int errors, int misses, int rows) {
    }

    public interface Call {
        /** One get-or-create; returns false when the application ended up without the row. */
        boolean run(Connection c, String email, AtomicInteger errors) throws SQLException;
    }

    public static Counts race(String url, String table, Call call) throws Exception {
        TestDatabase.exec("DROP TABLE IF EXISTS " + table, "CREATE TABLE " + table
                + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, UNIQUE KEY ux_" + table + " (email))");
        return run(url, table, THREADS, CALLS, KEYS, call);
    }

    /**
     * Runs {@code threads} threads, each with a connection of its own (autocommit off), started together
     * behind a barrier, each making {@code calls} calls over {@code keys} keys; the table must exist.
     */
    public static Counts run(String url, String table, int threads, int calls, int keys, Call call) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger misses = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    try (Connection c = DriverManager.getConnection(url)) {
                        c.setAutoCommit(false);
                        start.await();
                        for (int i = 0; i < calls; i++) {
                            if (!call.run(c, table + "-" + (i % keys) + "@x", errors)) {
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

    /** Naive: the seed's get-or-create, then commit; a duplicate key escapes to the caller (counted, rolled back). */
    public static Call naive(String table) {
        return (c, email, errors) -> {
            try {
                GetOrCreateRace.getOrCreate(c, table, email);
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
    public static Call catchAndReselect(String table) {
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

    /** The naive code inside {@link Retry}: a duplicate key is retried, and the retry finds the winner's row. */
    public static Call retried(String table) {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(10).backoff(Duration.ofMillis(1), Duration.ofMillis(50)).build();
        return (c, email, errors) -> {
            try {
                Retry.inTransaction(c, policy, conn -> {
                    if (!exists(conn, table, email)) {
                        insert(conn, table, email);
                    }
                    return null;
                });
                c.setAutoCommit(false);
                return true;
            } catch (SQLException e) {
                errors.incrementAndGet();
                return false;
            }
        };
    }

    /** All four ways, in order: naive raw, reselect raw, reselect guarded, retry guarded. */
    public static List<Counts> fourWays() throws Exception {
        return List.of(
                race(TestDatabase.url(), "race_a", naive("race_a")),
                race(TestDatabase.url(), "race_b", catchAndReselect("race_b")),
                race(TestDatabase.guardUrl(), "race_c", catchAndReselect("race_c")),
                race(TestDatabase.guardUrl(), "race_d", retried("race_d")));
    }

    /** Prints the counts as the demo and the test show them. */
    public static void print(List<Counts> c) {
        System.out.printf("race at scale, %d threads x %d calls over %d keys:%n", THREADS, CALLS, KEYS);
        System.out.printf("  (a) naive, straight on Connector/J:               %d duplicate-key errors escaped, %d rows%n",
                c.get(0).errors(), c.get(0).rows());
        System.out.printf("  (b) catch-and-reselect, straight on Connector/J:  %d re-selects missed, %d errors, %d rows%n",
                c.get(1).misses(), c.get(1).errors(), c.get(1).rows());
        System.out.printf("  (c) catch-and-reselect through the guard:        %d missed, %d errors, %d rows%n",
                c.get(2).misses(), c.get(2).errors(), c.get(2).rows());
        System.out.printf("  (c) naive code in the retry helper, guarded:     %d missed, %d errors, %d rows%n",
                c.get(3).misses(), c.get(3).errors(), c.get(3).rows());
    }
}
