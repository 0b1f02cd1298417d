package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, the seed's race on PostgreSQL: a duplicate key aborts the transaction there, so the seed's advice
 * (catch the duplicate key, re-select) fails straight with 25P02; through the guard the INSERT that completes
 * the check runs inside a savepoint, rolled back to on 23505, and the re-select sees the winner's row.
 */
class PostgresGetOrCreateTest {

    private Guard guard;
    private final List<Finding> findings = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        guard = new Guard();
        guard.addFindingListener(findings::add);
    }

    @AfterEach
    void stop() {
        guard.close();
    }

    private Connection guarded(String... params) throws SQLException {
        return guard.connect(PgDatabase.guardUrl(params), new java.util.Properties());
    }

    static void exec(String... sql) throws SQLException {
        try (Connection c = PgDatabase.raw(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    static void table(String name) throws SQLException {
        exec("DROP TABLE IF EXISTS " + name, "CREATE TABLE " + name
                + " (id BIGSERIAL PRIMARY KEY, email VARCHAR(100) NOT NULL, CONSTRAINT ux_" + name + " UNIQUE (email))");
    }

    static boolean exists(Connection c, String table, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " WHERE email = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The seed's advice: check, insert, on a duplicate key re-select in the same transaction. Returns whether the
     * caller ended up with the row; a failure of the re-select (25P02) is counted in {@code errors}.
     */
    static boolean getOrCreate(Connection c, String table, String email, AtomicInteger errors) throws SQLException {
        boolean found = true;
        try {
            if (!exists(c, table, email)) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (email) VALUES (?)")) {
                    ps.setString(1, email);
                    ps.executeUpdate();
                } catch (SQLException dup) {
                    if (!"23505".equals(dup.getSQLState())) {
                        throw dup;
                    }
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
    }

    record Counts(int errors, int misses, long rows, long distinct) {
    }

    private Counts race(String table, int threads, int calls, int keys, boolean throughGuard) throws Exception {
        table(table);
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger misses = new AtomicInteger();
        Concurrently.run(threads, t -> {
            try (Connection c = throughGuard ? guarded() : PgDatabase.raw()) {
                c.setAutoCommit(false);
                start.await();
                for (int i = 0; i < calls; i++) {
                    if (!getOrCreate(c, table, table + "-" + (i % keys) + "@x", errors)) {
                        misses.incrementAndGet();
                    }
                }
            }
        });
        try (Connection c = PgDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT email) FROM " + table)) {
            rs.next();
            return new Counts(errors.get(), misses.get(), rs.getLong(1), rs.getLong(2));
        }
    }

    @Test
    void straightTheLosersReSelectFailsWith25P02ThroughTheGuardEveryCallerGetsTheRow() throws Exception {
        Counts straight = race("pg_goc_raw", 8, 1000, 100, false);
        assertThat(straight.rows()).as("the unique key keeps one row per key").isEqualTo(100);
        assertThat(straight.errors()).as("straight: the losers' re-selects failed, the transaction aborted (25P02)")
                .isPositive().isEqualTo(straight.misses());

        Counts guarded = race("pg_goc_guard", 8, 1000, 100, true);
        assertThat(guarded).as("through the guard: no failure, every caller got its row, every row once")
                .isEqualTo(new Counts(0, 0, 100, 100));
        assertThat(guard.awaitFindings(10_000)).isTrue();
        assertThat(findings).filteredOn(f -> f.rule().equals("duplicate-aborts-transaction"))
                .isNotEmpty().allSatisfy(f -> {
                    assertThat(f.level()).isEqualTo(Finding.Level.INFO);
                    assertThat(f.message()).contains("Repaired", "ON CONFLICT DO NOTHING");
                });
        assertThat(findings).filteredOn(f -> f.rule().equals("check-then-insert") && f.count() == 1).singleElement()
                .satisfies(f -> {
                    assertThat(f.level()).isEqualTo(Finding.Level.WARN);
                    assertThat(f.table()).isEqualTo("pg_goc_guard");
                    assertThat(f.message()).contains("SQLState 23505", "ON CONFLICT", "aborts the loser's transaction")
                            .doesNotContain("1062");
                });
    }

    /**
     * At REPEATABLE READ no savepoint helps (the re-read answers from the snapshot): the whole unit inside
     * {@link io.jdbcguard.Retry} is retried on 23505 (or 40001), and every caller ends with its row, every row once.
     */
    @Test
    void atRepeatableReadTheRetryHelperRetriesTheWholeUnit() throws Exception {
        table("pg_goc_retry");
        io.jdbcguard.RetryPolicy policy = io.jdbcguard.RetryPolicy.builder().maxAttempts(20)
                .backoff(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(20)).build();
        CyclicBarrier start = new CyclicBarrier(8);
        AtomicInteger attempts = new AtomicInteger();
        Concurrently.run(8, t -> {
            try (Connection c = guarded()) {
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                start.await();
                for (int i = 0; i < 200; i++) {
                    String email = "pg_goc_retry-" + (i % 20) + "@x";
                    io.jdbcguard.Retry.inTransaction(c, policy, conn -> {
                        attempts.incrementAndGet();
                        if (!exists(conn, "pg_goc_retry", email)) {
                            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pg_goc_retry (email) VALUES (?)")) {
                                ps.setString(1, email);
                                ps.executeUpdate();
                            }
                        }
                        return null;
                    });
                }
            }
        });
        try (Connection c = PgDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT email) FROM pg_goc_retry")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(20);
            assertThat(rs.getLong(2)).isEqualTo(20);
        }
        assertThat(attempts.get()).as("no unit failed for good: each ran until it succeeded").isGreaterThanOrEqualTo(8 * 200);
    }

    /** One loser, step by step: the application gets pgJDBC's own exception; the transaction stays usable. */
    @Test
    void theLoserGetsTheDriversExceptionAndItsTransactionStaysUsable() throws Exception {
        table("pg_goc_one");
        for (boolean throughGuard : new boolean[] {false, true}) {
            exec("TRUNCATE pg_goc_one");
            try (Connection loser = throughGuard ? guarded() : PgDatabase.raw(); Connection winner = PgDatabase.raw()) {
                loser.setAutoCommit(false);
                assertThat(exists(loser, "pg_goc_one", "k@x")).isFalse();
                try (Statement w = winner.createStatement()) {
                    w.executeUpdate("INSERT INTO pg_goc_one (email) VALUES ('k@x')");
                }
                SQLException dup = null;
                try (PreparedStatement ps = loser.prepareStatement("INSERT INTO pg_goc_one (email) VALUES (?)")) {
                    ps.setString(1, "k@x");
                    ps.executeUpdate();
                } catch (SQLException e) {
                    dup = e;
                }
                assertThat((Throwable) dup).isInstanceOf(org.postgresql.util.PSQLException.class);
                assertThat(dup.getSQLState()).isEqualTo("23505");
                assertThat(((org.postgresql.util.PSQLException) dup).getServerErrorMessage().getConstraint())
                        .isEqualTo("ux_pg_goc_one");
                if (throughGuard) {
                    assertThat(exists(loser, "pg_goc_one", "k@x")).as("the fallback read sees the winner").isTrue();
                    loser.commit();
                } else {
                    SQLException aborted = null;
                    try {
                        exists(loser, "pg_goc_one", "k@x");
                    } catch (SQLException e) {
                        aborted = e;
                    }
                    assertThat((Throwable) aborted).as("straight").isNotNull();
                    assertThat(aborted.getSQLState()).isEqualTo("25P02");
                    loser.rollback();
                }
            }
        }
    }

    /** Where a savepoint cannot help, nothing is wrapped, and the finding says why. */
    @Test
    void atRepeatableReadAndWithRecoveryOffNothingIsWrappedAndTheFindingSaysWhy() throws Exception {
        table("pg_goc_rr");
        for (String[] params : new String[][] {{}, {"guard.recovery=off"}}) {
            exec("TRUNCATE pg_goc_rr");
            findings.clear();
            boolean rr = params.length == 0;
            try (Connection loser = guarded(params); Connection winner = PgDatabase.raw()) {
                loser.setAutoCommit(false);
                if (rr) {
                    loser.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                }
                assertThat(exists(loser, "pg_goc_rr", "k@x")).isFalse();
                try (Statement w = winner.createStatement()) {
                    w.executeUpdate("INSERT INTO pg_goc_rr (email) VALUES ('k@x')");
                }
                try (PreparedStatement ps = loser.prepareStatement("INSERT INTO pg_goc_rr (email) VALUES (?)")) {
                    ps.setString(1, "k@x");
                    ps.executeUpdate();
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).isIn("23505", "40001");
                }
                SQLException aborted = null;
                try {
                    exists(loser, "pg_goc_rr", "k@x");
                } catch (SQLException e) {
                    aborted = e;
                }
                assertThat((Throwable) aborted).as("as straight: the transaction is aborted").isNotNull();
                assertThat(aborted.getSQLState()).isEqualTo("25P02");
                loser.rollback();
            }
            assertThat(guard.awaitFindings(10_000)).isTrue();
            assertThat(findings).filteredOn(f -> f.rule().equals("duplicate-aborts-transaction") && f.count() == 1).singleElement()
                    .satisfies(f -> {
                        assertThat(f.level()).isEqualTo(Finding.Level.WARN);
                        assertThat(f.message()).contains(rr ? "only a retry of the whole transaction helps"
                                : "Not repaired: guard.recovery=off");
                    });
        }
    }
}
