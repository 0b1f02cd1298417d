package io.jdbcguard.it;

import io.jdbcguard.GuardStats;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo on embedded PostgreSQL ({@code mvn -B -q -Pdemo -DskipTests verify -Ddemo.database=postgresql}): the
 * seed's get-or-create with its advice (catch the duplicate key, re-select), straight through pgJDBC and through
 * the guard. On PostgreSQL the duplicate key aborts the loser's transaction, so its re-select fails (25P02);
 * through the guard the INSERT that completes the check runs inside a savepoint and the re-select finds the row.
 */
final class PostgresDemo {

    static final int THREADS = 8;
    static final int CALLS = 200;
    static final int KEYS = 20;

    private PostgresDemo() {
    }

    /** What the callers got: calls that ended without the row (an exception), and the table afterwards. */
    record Result(int failed, long rows, long distinct) {
    }

    static void run() throws Exception {
        String url = PgDatabase.url();
        try (Connection c = PgDatabase.raw()) {
            System.out.println("server: PostgreSQL " + c.getMetaData().getDatabaseProductVersion() + " at "
                    + io.jdbcguard.internal.GuardUrl.mask(url));
        }
        System.out.printf("%d threads x %d calls over %d keys, each call one READ COMMITTED transaction (the default):"
                + " SELECT the key; if absent INSERT it; on a duplicate key (23505) SELECT it again%n%n", THREADS, CALLS, KEYS);
        report("1. straight through pgJDBC, no unique key on email", race(url, false));
        report("2. straight through pgJDBC, unique key on email", race(url, true));
        System.out.println("Without a unique key the table silently gains duplicate rows. With one, the losers' re-SELECT");
        System.out.println("fails: PostgreSQL aborted their transactions at the duplicate key (25P02 until ROLLBACK).");
        System.out.println();
        System.out.println("3. the same race through jdbc:guard:postgresql:, unique key on email (the guard's log follows)");
        long before = GuardStats.statements();
        report("", race(PgDatabase.guardUrl(), true));
        System.out.printf("   the guard saw %d statements; findings so far by rule: %s; internal errors: %d%n",
                GuardStats.statements() - before, GuardStats.findingsByRule(), GuardStats.internalErrors());
        System.out.println("   Every caller got its row: the guard ran each INSERT that completed a check inside a savepoint");
        System.out.println("   and rolled back to it on 23505 (the application still got the 23505), so the transaction");
        System.out.println("   stayed usable and the re-SELECT saw the winner's row.");
    }

    private static void report(String title, Result r) {
        if (!title.isEmpty()) {
            System.out.println(title);
        }
        System.out.printf("   calls that ended without their row: %d; rows: %d for %d distinct emails%n%n", r.failed(),
                r.rows(), r.distinct());
    }

    private static Result race(String url, boolean unique) throws Exception {
        PostgresTables.exec("DROP TABLE IF EXISTS demo_users", "CREATE TABLE demo_users (id BIGSERIAL PRIMARY KEY,"
                + " email VARCHAR(100) NOT NULL" + (unique ? ", CONSTRAINT ux_demo_users UNIQUE (email))" : ")"));
        CyclicBarrier start = new CyclicBarrier(THREADS);
        AtomicInteger failed = new AtomicInteger();
        Concurrently.run(THREADS, t -> {
            try (Connection c = DriverManager.getConnection(url)) {
                c.setAutoCommit(false);
                start.await();
                for (int i = 0; i < CALLS; i++) {
                    if (!getOrCreate(c, "user" + (i % KEYS) + "@x")) {
                        failed.incrementAndGet();
                    }
                }
            }
        });
        try (Connection c = PgDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT email) FROM demo_users")) {
            rs.next();
            return new Result(failed.get(), rs.getLong(1), rs.getLong(2));
        }
    }

    private static boolean exists(Connection c, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM demo_users WHERE email = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The seed's get-or-create with its advice; false when the caller ended without the row. */
    private static boolean getOrCreate(Connection c, String email) throws SQLException {
        try {
            boolean found = exists(c, email);
            if (!found) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO demo_users (email) VALUES (?)")) {
                    ps.setString(1, email);
                    ps.executeUpdate();
                    found = true;
                } catch (SQLException dup) {
                    if (!"23505".equals(dup.getSQLState())) {
                        throw dup;
                    }
                    found = exists(c, email);
                }
            }
            c.commit();
            return found;
        } catch (SQLException e) {
            c.rollback();
            return false;
        }
    }
}
