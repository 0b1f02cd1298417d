package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import io.jdbcguard.Retry;
import io.jdbcguard.RetryPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, items 3 and 4 on the real server: two methods that lock two tables in opposite orders, run one
 * after the other in one thread, are {@code lock-order}; run at the same time (latches make both hold their
 * first lock) they deadlock for real, and the victim is reported as {@code deadlock} with the other side's
 * statement and the method it ran in. The fix the findings give (one order everywhere) passes the same
 * 8-thread test with no deadlock.
 */
class DeadlockAndLockOrderTest {

    private final List<Finding> seen = new CopyOnWriteArrayList<>();
    /** A guard of each test's own: what one test's places lock must not count in the next. */
    private static Guard guard;
    private static String url;

    @BeforeEach
    void schema() {
        TestDatabase.exec("DROP TABLE IF EXISTS DL_STOCK", "DROP TABLE IF EXISTS DL_ORDER",
                "CREATE TABLE DL_ORDER (ID BIGINT PRIMARY KEY, STATE VARCHAR(20) NOT NULL)",
                "CREATE TABLE DL_STOCK (ID BIGINT PRIMARY KEY, QTY INT NOT NULL)",
                "INSERT INTO DL_ORDER VALUES (1, 'new')", "INSERT INTO DL_STOCK VALUES (1, 100)");
        guard = new Guard();
        guard.addFindingListener(seen::add);
        url = TestDatabase.guardUrl();
    }

    @AfterEach
    void stop() {
        guard.close();
    }

    static Connection connect() throws SQLException {
        return guard.connect(url, new java.util.Properties());
    }

    /** The findings per rule the work made, on this test's guard. */
    static java.util.Map<String, Long> findings(Step work) throws Exception {
        java.util.Map<String, Long> before = guard.findingsByRule();
        work.run();
        assertThat(guard.awaitFindings(10_000)).isTrue();
        java.util.Map<String, Long> delta = new java.util.TreeMap<>();
        guard.findingsByRule().forEach((k, v) -> {
            if (v - before.getOrDefault(k, 0L) != 0) {
                delta.put(k, v - before.getOrDefault(k, 0L));
            }
        });
        return delta;
    }

    interface Step {
        void run() throws Exception;
    }

    /** Ships an order: marks it, then takes the item from stock. Locks DL_ORDER, then DL_STOCK. */
    static void ship(Connection c, Step between) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("UPDATE DL_ORDER SET STATE = 'shipped' WHERE ID = ?")) {
            ps.setLong(1, 1);
            ps.executeUpdate();
        }
        between.run();
        try (PreparedStatement ps = c.prepareStatement("UPDATE DL_STOCK SET QTY = QTY - 1 WHERE ID = ?")) {
            ps.setLong(1, 1);
            ps.executeUpdate();
        }
    }

    /** Restocks: adds to stock, then reopens the order. Locks DL_STOCK, then DL_ORDER: the other way round. */
    static void restock(Connection c, Step between) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("UPDATE DL_STOCK SET QTY = QTY + 10 WHERE ID = ?")) {
            ps.setLong(1, 1);
            ps.executeUpdate();
        }
        between.run();
        try (PreparedStatement ps = c.prepareStatement("UPDATE DL_ORDER SET STATE = 'open' WHERE ID = ? AND STATE <> 'x'")) {
            ps.setLong(1, 1);
            ps.executeUpdate();
        }
    }

    /** The fix: restock locks the order first, like ship. */
    static void restockInOrder(Connection c, Step between) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT STATE FROM DL_ORDER WHERE ID = ? FOR UPDATE")) {
            ps.setLong(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
        restock(c, between);
    }

    interface Unit {
        void run(Connection c, Step between) throws Exception;
    }

    private static void inTransaction(Unit unit) throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            unit.run(c, () -> { });
            c.commit();
        }
    }

    @Test
    void twoMethodsRunOneAfterTheOtherThatLockTwoTablesInOppositeOrdersAreLockOrder() throws Exception {
        assertThat(findings(() -> {
            inTransaction(DeadlockAndLockOrderTest::ship);
            inTransaction(DeadlockAndLockOrderTest::restock);
        })).isEqualTo(java.util.Map.of("lock-order", 1L));
        Finding f = seen.stream().filter(x -> x.rule().equals("lock-order")).findFirst().orElseThrow();
        assertThat(f.table()).isEqualTo("dl_stock,dl_order");
        assertThat(f.writeSite().getMethodName()).isEqualTo("restock");
        assertThat(f.checkSite().getMethodName()).isEqualTo("ship");
        String me = DeadlockAndLockOrderTest.class.getName();
        assertThat(f.message()).contains("one transaction locks rows of dl_stock at " + me + ".restock(",
                "and then of dl_order at " + me + ".restock(", "another locks dl_order at " + me + ".ship(",
                "and then dl_stock at " + me + ".ship(");
    }

    @Test
    void theSameOrderEverywhereIsNoFinding() throws Exception {
        assertThat(findings(() -> {
            inTransaction(DeadlockAndLockOrderTest::ship);
            inTransaction(DeadlockAndLockOrderTest::restockInOrder);
            inTransaction(DeadlockAndLockOrderTest::ship);
        })).isEmpty();
    }

    /** Both at once: each holds its first lock before either asks for its second. */
    private static int[] atOnce(Unit first, Unit second, int rounds) throws Exception {
        return atOnce(first, second, rounds, 2_000);
    }

    /**
     * {@code latchMs}: how long the first to hold its lock waits for the other: long where the test counts on a
     * deadlock (a slow connection must not let one pass alone), short where the other waits for a lock instead.
     */
    private static int[] atOnce(Unit first, Unit second, int rounds, long latchMs) throws Exception {
        AtomicInteger deadlocks = new AtomicInteger();
        AtomicInteger committed = new AtomicInteger();
        for (int r = 0; r < rounds; r++) {
            CountDownLatch bothHoldOne = new CountDownLatch(2);
            Step between = () -> {
                bothHoldOne.countDown();
                bothHoldOne.await(latchMs, TimeUnit.MILLISECONDS);
            };
            Concurrently.run(2, t -> run(true, t == 0 ? first : second, between, deadlocks, committed));
        }
        return new int[] {deadlocks.get(), committed.get()};
    }

    /** One unit in a transaction of its own: committed, or the deadlock's victim (the server's exception as it was). */
    private static void run(boolean guarded, Unit unit, Step between, AtomicInteger deadlocks, AtomicInteger committed)
            throws Exception {
        try (Connection c = guarded ? connect() : TestDatabase.raw()) {
            c.setAutoCommit(false);
            try {
                unit.run(c, between);
                c.commit();
                committed.incrementAndGet();
            } catch (SQLException e) {
                if (e.getErrorCode() != 1213) {
                    throw e;
                }
                assertThat((Throwable) e).as("the server's exception as it was")
                        .isInstanceOf(java.sql.SQLTransactionRollbackException.class).hasMessageContaining("Deadlock found");
                deadlocks.incrementAndGet();
                c.rollback();
            }
        }
    }

    @Test
    void aRealDeadlockNamesTheVictimAndTheOtherSideAndTheFixHasNone() throws Exception {
        int[] before = new int[2];
        java.util.Map<String, Long> found = findings(() -> {
            int[] r = atOnce(DeadlockAndLockOrderTest::ship, DeadlockAndLockOrderTest::restock, 1);
            before[0] = r[0];
            before[1] = r[1];
        });
        assertThat(before).as("one victim, one committed").containsExactly(1, 1);
        // The victim's transaction failed at its second table, so only one order was taken in full: no lock-order
        // from this run alone (the test above has it from two whole runs).
        assertThat(found).isEqualTo(java.util.Map.of("deadlock", 1L));
        Finding d = seen.stream().filter(x -> x.rule().equals("deadlock")).findFirst().orElseThrow();
        String me = DeadlockAndLockOrderTest.class.getName();
        assertThat(d.writeSite().getClassName()).isEqualTo(me);
        assertThat(d.writeSite().getMethodName()).isIn("ship", "restock");
        assertThat(d.checkSite()).as("the other side, placed where the guard saw its statement").isNotNull();
        assertThat(d.checkSite().getMethodName()).isIn("ship", "restock")
                .isNotEqualTo(d.writeSite().getMethodName());
        assertThat(d.checkSql()).as("the server's text, values masked").contains("WHERE ID = ?").doesNotContain("= 1");
        assertThat(d.message()).contains("as InnoDB's latest detected deadlock reports it");

        // The fix both findings give: one order everywhere. Eight rounds at once: no deadlock, nothing reported.
        int[][] after = new int[1][];
        guard.close();
        guard = new Guard();
        assertThat(findings(() -> after[0] = atOnce(DeadlockAndLockOrderTest::ship,
                DeadlockAndLockOrderTest::restockInOrder, 8, 100))).isEmpty();
        assertThat(after[0]).containsExactly(0, 16);
    }

    /**
     * The done-when test: 8 threads at once, 4 shipping and 4 restocking, for 3 rounds. Straight, in the two
     * orders: deadlocks. Through the guard, with the fix (restock locks the order first, like ship): none, every
     * unit committed once, and the stock exactly what 12 shipments and 12 restocks leave.
     */
    @Test
    void eightThreadsBeforeAndAfterTheFix() throws Exception {
        assertThat(eightAtOnce(false, DeadlockAndLockOrderTest::restock)).as("straight, opposite orders: deadlocks")
                .isPositive();
        TestDatabase.exec("UPDATE DL_STOCK SET QTY = 100");
        int[] deadlocks = new int[1];
        assertThat(findings(() -> deadlocks[0] = eightAtOnce(true, DeadlockAndLockOrderTest::restockInOrder)))
                .as("nothing to report").isEmpty();
        assertThat(deadlocks[0]).as("with one order everywhere: no deadlock").isZero();
        try (Connection c = TestDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT QTY FROM DL_STOCK WHERE ID = 1")) {
            rs.next();
            assertThat(rs.getInt(1)).as("100 - 12 × 1 + 12 × 10").isEqualTo(208);
        }
    }

    /** 3 rounds of 4 ship and 4 restock units at once; returns the deadlocks (every other unit committed). */
    private static int eightAtOnce(boolean guarded, Unit restocking) throws Exception {
        AtomicInteger deadlocks = new AtomicInteger();
        AtomicInteger committed = new AtomicInteger();
        for (int round = 0; round < 3; round++) {
            CountDownLatch allHoldOne = new CountDownLatch(8);
            Step between = () -> {
                allHoldOne.countDown();
                allHoldOne.await(100, TimeUnit.MILLISECONDS);
            };
            Concurrently.run(8, t -> run(guarded, t % 2 == 0 ? DeadlockAndLockOrderTest::ship : restocking, between,
                    deadlocks, committed));
        }
        assertThat(deadlocks.get() + committed.get()).isEqualTo(24);
        return deadlocks.get();
    }

    @Test
    void withoutTheProcessPrivilegeTheVictimIsReportedAlone() throws Exception {
        // The shared server skips its grant tables; this one uses them, and the application's user lacks PROCESS.
        try (TestDatabase.Server server = TestDatabase.startServer()) {
            try (Connection root = java.sql.DriverManager.getConnection(server.url); Statement st = root.createStatement()) {
                for (String sql : new String[] {"FLUSH PRIVILEGES", "CREATE USER 'dl_noproc'@'%' IDENTIFIED BY 'dl-pw'",
                        "CREATE USER 'dl_noproc'@'localhost' IDENTIFIED BY 'dl-pw'",
                        "GRANT ALL ON " + TestDatabase.DATABASE + ".* TO 'dl_noproc'@'%'",
                        "GRANT ALL ON " + TestDatabase.DATABASE + ".* TO 'dl_noproc'@'localhost'",
                        "CREATE TABLE DL_ORDER (ID BIGINT PRIMARY KEY, STATE VARCHAR(20) NOT NULL)",
                        "CREATE TABLE DL_STOCK (ID BIGINT PRIMARY KEY, QTY INT NOT NULL)",
                        "INSERT INTO DL_ORDER VALUES (1, 'new')", "INSERT INTO DL_STOCK VALUES (1, 100)"}) {
                    st.execute(sql);
                }
            }
            url = "jdbc:guard:" + server.url.substring(5).replace("user=root", "user=dl_noproc&password=dl-pw");
            try (LogCapture log = new LogCapture("jdbcguard")) {
                java.util.Map<String, Long> found = findings(() -> {
                    for (int round = 0; round < 2; round++) {
                        assertThat(atOnce(DeadlockAndLockOrderTest::ship, DeadlockAndLockOrderTest::restock, 1))
                                .containsExactly(1, 1);
                    }
                });
                assertThat(found).containsEntry("deadlock", 2L);
                assertThat(log.messages().stream().filter(l -> l.contains("cannot read InnoDB's latest detected deadlock")))
                        .as("said once").hasSize(1)
                        .allSatisfy(l -> assertThat(l).contains("PROCESS").doesNotContain("dl-pw"));
            }
        }
        Finding d = seen.stream().filter(x -> x.rule().equals("deadlock")).findFirst().orElseThrow();
        assertThat(d.writeSite().getMethodName()).isIn("ship", "restock");
        assertThat(d.checkSite()).isNull();
        assertThat(d.message()).contains("the other transaction is not known");
    }

    @Test
    void retryRunsTheVictimAgainAndBothCommit() throws Exception {
        RetryPolicy fast = RetryPolicy.builder().backoff(Duration.ofMillis(1), Duration.ofMillis(10)).build();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Step between = () -> {
            bothHoldOne.countDown();
            bothHoldOne.await(300, TimeUnit.MILLISECONDS);
        };
        Unit[] units = {DeadlockAndLockOrderTest::ship, DeadlockAndLockOrderTest::restock};
        Concurrently.run(2, t -> {
            try (Connection c = connect()) {
                Retry.inTransaction(c, fast, tx -> unchecked(() -> units[t].run(tx, between)));
            }
        });
        try (Connection c = TestDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT QTY FROM DL_STOCK WHERE ID = 1")) {
            rs.next();
            assertThat(rs.getInt(1)).as("both committed once: 100 - 1 + 10").isEqualTo(109);
        }
    }

    private static Void unchecked(Step s) throws SQLException {
        try {
            s.run();
        } catch (SQLException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return null;
    }
}
