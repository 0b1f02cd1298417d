package io.jdbcguard.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.stub.StubDriver;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each rule's unsafe shape and its safe neighbours, fast, on the stub driver (no server): a read finds
 * its row unless its SQL says {@code missing}; an update mentioning {@code duplicate} fails with 1062. The
 * stub answers the guard's index read with one unique index on a column named {@code 42}, so a key
 * {@code `42`} is unique and any other is not. Each test has a guard of its own.
 */
class RulesOnStubTest {

    private Guard guard;
    private final List<Finding> findings = new CopyOnWriteArrayList<>();

    @BeforeEach
    void guard() {
        StubDriver.load();
        guard = new Guard();
        guard.addFindingListener(findings::add);
    }

    @AfterEach
    void close() {
        guard.close();
    }

    /** The tests of other rules leave out lock-without-index: the stub indexes no column but `42`. */
    private static final String NO_INDEX_RULE = "?guard.disable=lock-without-index";

    private Connection connect(String params) throws SQLException {
        return guard.connect("jdbc:guard:stub:rules" + params, new Properties());
    }

    private List<String> rules() throws InterruptedException {
        assertThat(guard.awaitFindings(5_000)).isTrue();
        return findings.stream().map(f -> f.rule() + ":" + f.level()).collect(Collectors.toList());
    }

    private static boolean found(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next();
        }
    }

    @Test
    void checkThenInsertAndItsSafeNeighbours() throws Exception {
        // The stub indexes only `42`: its locking reads by email would also be lock-without-index, a rule of its own.
        try (Connection c = connect(NO_INDEX_RULE); Statement st = c.createStatement()) {
            assertThat(found(st, "SELECT id FROM users WHERE email = 'missing@x'")).isFalse();
            st.executeUpdate("INSERT INTO users (email) VALUES ('missing@x')");
            assertThat(rules()).containsExactly("check-then-insert:ERROR");
            findings.clear();

            assertThat(found(st, "SELECT id FROM users WHERE email = 'missing@y'")).isFalse();
            st.executeUpdate("INSERT IGNORE INTO users (email) VALUES ('missing@y')");
            assertThat(found(st, "SELECT id FROM users WHERE email = 'here@z'")).isTrue(); // found: no check
            st.executeUpdate("INSERT INTO users (email) VALUES ('here@z')");
            assertThat(found(st, "SELECT id FROM users WHERE email = 'missing@w'")).isFalse();
            st.executeUpdate("INSERT INTO users (email) VALUES ('other@w')"); // another key
            assertThat(rules()).isEmpty();

            // Issue 23: a locking check makes no duplicate at REPEATABLE READ (the stub's), but concurrent
            // callers deadlock at the insert on the gap lock it took.
            c.setAutoCommit(false);
            assertThat(found(st, "SELECT id FROM users WHERE email = 'missing@v' FOR UPDATE")).isFalse();
            st.executeUpdate("INSERT INTO users (email) VALUES ('missing@v')");
            c.commit();
            assertThat(rules()).containsExactly("gap-lock-insert:WARN");
        }
    }

    @Test
    void lostUpdateAndItsSafeNeighbours() throws Exception {
        try (Connection c = connect(NO_INDEX_RULE); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            assertThat(found(st, "SELECT balance FROM accounts WHERE `42` = 1")).isTrue();
            st.executeUpdate("UPDATE accounts SET balance = 5 WHERE `42` = 1");
            c.commit();
            assertThat(rules()).containsExactly("lost-update:WARN");
            findings.clear();

            found(st, "SELECT balance FROM accounts WHERE `42` = 2");
            st.executeUpdate("UPDATE accounts SET balance = balance + 5 WHERE `42` = 2"); // relative
            found(st, "SELECT balance, version FROM accounts WHERE `42` = 3");
            st.executeUpdate("UPDATE accounts SET balance = 5 WHERE `42` = 3 AND version = 7"); // optimistic
            found(st, "SELECT balance FROM accounts WHERE `42` = 4 FOR UPDATE");
            st.executeUpdate("UPDATE accounts SET balance = 5 WHERE `42` = 4"); // locked read
            found(st, "SELECT balance FROM accounts WHERE owner = 'ann'");
            st.executeUpdate("UPDATE accounts SET balance = 5 WHERE owner = 'ann'"); // key not unique
            c.commit();
            assertThat(rules()).isEmpty();
        }
    }

    @Test
    void lockWithoutTransactionOnlyUnderAutocommit() throws Exception {
        try (Connection c = connect(NO_INDEX_RULE); Statement st = c.createStatement()) {
            found(st, "SELECT id FROM jobs WHERE id = 1 FOR UPDATE");
            assertThat(rules()).containsExactly("lock-without-transaction:WARN");
            findings.clear();
            c.setAutoCommit(false);
            found(st, "SELECT id FROM jobs WHERE id = 2 FOR UPDATE");
            c.commit();
            assertThat(rules()).isEmpty();
        }
    }

    /** Issue 23, item 2. The stub's tables have one index, on `42`. */
    @Test
    void lockWithoutIndexAndItsSafeNeighbours() throws Exception {
        try (Connection c = connect("?guard.app-packages=io.jdbcguard.rules.RulesOnStubTest"); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.executeUpdate("UPDATE jobs SET state = 'done' WHERE owner = 'ann'");
            c.commit();
            assertThat(guard.awaitFindings(5_000)).isTrue();
            assertThat(findings).hasSize(1);
            Finding f = findings.get(0);
            assertThat(f.rule()).isEqualTo("lock-without-index");
            assertThat(f.level()).isEqualTo(Finding.Level.WARN);
            assertThat(f.table()).isEqualTo("jobs");
            assertThat(f.columns()).containsExactly("owner");
            assertThat(f.writeSite().getMethodName()).isEqualTo("lockWithoutIndexAndItsSafeNeighbours");
            assertThat(f.message()).contains("CREATE INDEX ix_jobs_owner ON jobs (owner)", "its indexes start with 42",
                    "REPEATABLE_READ");
            findings.clear();

            found(st, "SELECT id FROM jobs WHERE owner = 'bob' FOR UPDATE");
            st.executeUpdate("DELETE FROM jobs WHERE owner = 'bob' AND state <> 'new'");
            c.commit();
            assertThat(rules()).containsExactly("lock-without-index:WARN", "lock-without-index:WARN");
            findings.clear();

            st.executeUpdate("UPDATE jobs SET state = 'done' WHERE `42` = 7");       // served by the index
            st.executeUpdate("DELETE FROM jobs WHERE owner = 'cy' AND `42` IN (1, 2)"); // its first column is named
            found(st, "SELECT id FROM jobs WHERE owner = 'dan'");                      // reads without a lock
            st.executeUpdate("DELETE FROM jobs");                                       // every row is meant
            c.commit();
            c.setAutoCommit(true);
            st.executeUpdate("UPDATE jobs SET state = 'done' WHERE owner = 'fay'");     // no transaction
            assertThat(rules()).isEmpty();

            c.setAutoCommit(false);
            found(st, "SELECT id FROM jobs WHERE owner = 'eve' LOCK IN SHARE MODE");   // a shared lock is a lock
            c.commit();
            assertThat(rules()).containsExactly("lock-without-index:WARN");
        }
    }

    /** Issue 23, item 3: two places lock two tables in opposite orders, each run once, one after the other. */
    @Test
    void lockOrderAndItsSafeNeighbours() throws Exception {
        try (Connection c = connect("?guard.app-packages=io.jdbcguard.rules.RulesOnStubTest"
                + "&guard.disable=lock-without-index,lock-without-transaction");
             Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            ordersThenStock(st);
            c.commit();
            ordersThenStock(st); // the same order again, other values: nothing
            c.rollback();
            found(st, "SELECT id FROM stock WHERE `42` = 1");  // reads without a lock do not count
            st.executeUpdate("UPDATE orders SET state = 'x' WHERE `42` = 1");
            c.commit();
            assertThat(rules()).isEmpty();

            stockThenOrders(st);
            c.rollback(); // rolled back, it still took its locks in that order
            assertThat(rules()).containsExactly("lock-order:WARN");
            Finding f = findings.get(0);
            assertThat(f.table()).isEqualTo("stock,orders");
            assertThat(f.writeSite().getMethodName()).isEqualTo("stockThenOrders");
            assertThat(f.checkSite().getMethodName()).isEqualTo("ordersThenStock");
            assertThat(f.message()).contains("lock the tables in one order in every transaction");
            findings.clear();

            stockThenOrders(st);
            c.commit();
            ordersThenStock(st);
            c.commit();
            c.setAutoCommit(true);
            stockThenOrders(st); // autocommit: each statement its own transaction
            assertThat(guard.awaitFindings(5_000)).isTrue();
            assertThat(findings).as("each place of the pair taken again is one more occurrence of the one finding")
                    .extracting(Finding::count).containsExactly(2L, 3L);
            assertThat(guard.findingsByRule()).containsEntry("lock-order", 3L);
        }
    }

    private static void ordersThenStock(Statement st) throws SQLException {
        st.executeUpdate("INSERT INTO orders (item, qty) VALUES ('pen', 1)");
        st.executeUpdate("UPDATE stock SET qty = qty - 1 WHERE `42` = 7");
    }

    private static void stockThenOrders(Statement st) throws SQLException {
        st.executeQuery("SELECT qty FROM stock WHERE `42` = 7 FOR UPDATE").close(); // run for its lock alone
        st.executeUpdate("DELETE FROM orders WHERE `42` = 9");
    }

    /** Issue 23, item 4, on the stub: a deadlock victim; the stub's server has no InnoDB status, so the victim alone. */
    @Test
    void aDeadlockVictimIsReportedAndTheApplicationGetsTheServersException() throws Exception {
        try (Connection c = connect("?guard.app-packages=io.jdbcguard.rules.RulesOnStubTest");
             Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> st.executeUpdate("UPDATE accounts SET note = 'deadlock' WHERE `42` = 1"))
                    .isInstanceOf(java.sql.SQLTransactionRollbackException.class)
                    .hasMessage("Deadlock found when trying to get lock; try restarting transaction")
                    .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1213));
            c.rollback();
            assertThat(rules()).containsExactly("deadlock:WARN");
            Finding f = findings.get(0);
            assertThat(f.table()).isEqualTo("accounts");
            assertThat(f.writeSite().getMethodName()).startsWith("lambda$aDeadlockVictim");
            assertThat(f.checkSite()).isNull();
            assertThat(f.message()).contains("the other transaction is not known", "retry the whole unit of work");
            findings.clear();
        }
        // PostgreSQL's deadlock: SQLState 40P01, no vendor code; the detail names the other process.
        try (Connection c = guard.connect("jdbc:guard:stub:postgresql?guard.app-packages=io.jdbcguard.rules.RulesOnStubTest",
                new Properties()); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> st.executeUpdate("UPDATE accounts SET note = 'pgdeadlock' WHERE \"42\" = 2"))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("40P01"));
            c.rollback();
            assertThat(rules()).containsExactly("deadlock:WARN");
            assertThat(findings.get(0).message()).contains("the server says: Process 4711 waits for ShareLock on"
                    + " transaction 812; blocked by process 4712. Process 4712 waits for ShareLock on transaction 811;"
                    + " blocked by process 4711.").doesNotContain("Hint");
        }
    }

    /** A storm of deadlocks: every one counted, and the guard reads the server's report one at a time. */
    @Test
    void aStormOfDeadlocksIsCountedWithoutAThreadEach() throws Exception {
        int threads = 8;
        int each = 50;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    try (Connection c = connect(""); Statement st = c.createStatement()) {
                        c.setAutoCommit(false);
                        for (int i = 0; i < each; i++) {
                            assertThatThrownBy(() -> st.executeUpdate("UPDATE accounts SET n = 'deadlock' WHERE `42` = 1"))
                                    .isInstanceOf(java.sql.SQLTransactionRollbackException.class);
                            c.rollback();
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(guard.awaitFindings(10_000)).isTrue();
        assertThat(guard.findingsByRule()).containsEntry("deadlock", (long) threads * each);
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().contains("-extra-")))
                .as("no thread beyond the guard's four").isEmpty();
    }

    @Test
    void staleReadAfterADuplicateIsRepairedOnlyInThatTransaction() throws Exception {
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            // The stub's server answers 42 to everything, innodb_snapshot_isolation too (ON): not repaired.
            c.setAutoCommit(false);
            assertThatThrownBy(() -> st.executeUpdate("INSERT INTO users (email) VALUES ('duplicate')"))
                    .isInstanceOf(java.sql.SQLIntegrityConstraintViolationException.class);
            found(st, "SELECT id FROM users WHERE email = 'duplicate' /* on */");
            assertThat(rules()).containsExactly("stale-read-after-duplicate:WARN");
            assertThat(findings.get(0).message()).contains("innodb_snapshot_isolation ON");
            findings.clear();
            c.rollback();
            st.execute("SET SESSION innodb_snapshot_isolation = OFF"); // tracked: the session's own value
            assertThatThrownBy(() -> st.executeUpdate("INSERT INTO users (email) VALUES ('duplicate')"))
                    .isInstanceOf(java.sql.SQLIntegrityConstraintViolationException.class);
            found(st, "SELECT id FROM users WHERE email = 'duplicate'");
            assertThat(rules()).containsExactly("stale-read-after-duplicate:INFO");
            assertThat(findings.get(0).message()).contains("Repaired (guard.recovery=fresh-read)");
            findings.clear();
            c.rollback();
            found(st, "SELECT id FROM users WHERE email = 'duplicate'");
            assertThat(rules()).isEmpty();
        }
    }

    /** What a prepared statement learns of the listeners may be kept; whether a read is stale may not. */
    @Test
    void aPreparedReadThatRanBeforeTheDuplicateIsStillRepairedAfterIt() throws Exception {
        try (Connection c = connect(""); Statement st = c.createStatement();
             java.sql.PreparedStatement read = c.prepareStatement("SELECT id FROM users WHERE email = ?")) {
            st.execute("SET SESSION innodb_snapshot_isolation = OFF");
            c.setAutoCommit(false);
            read.setString(1, "duplicate");
            try (ResultSet rs = read.executeQuery()) {
                rs.next();
            }
            assertThatThrownBy(() -> st.executeUpdate("INSERT INTO users (email) VALUES ('duplicate')"))
                    .isInstanceOf(java.sql.SQLIntegrityConstraintViolationException.class);
            try (ResultSet rs = read.executeQuery()) {
                rs.next();
            }
            assertThat(rules()).containsExactly("stale-read-after-duplicate:INFO");
            assertThat(findings.get(0).message()).contains("Repaired (guard.recovery=fresh-read)");
            c.rollback();
        }
    }

    @Test
    void riskyIsolationAndStrictModeRefusals() throws Exception {
        try (Connection c = connect("")) {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
            assertThat(rules()).containsExactly("risky-isolation:WARN");
        }
        findings.clear();
        try (Connection c = connect("?guard.mode=strict"); Statement st = c.createStatement()) {
            assertThat(found(st, "SELECT id FROM users WHERE email = 'missing@s'")).isFalse();
            assertThatThrownBy(() -> st.executeUpdate("INSERT INTO users (email) VALUES ('missing@s')"))
                    .isInstanceOf(UnsafePatternException.class).hasMessageContaining("[check-then-insert]");
            assertThatThrownBy(() -> found(st, "SELECT id FROM jobs WHERE id = 9 FOR UPDATE"))
                    .isInstanceOf(UnsafePatternException.class);
        }
    }

    @Test
    void aDisabledRuleSaysNothing() throws Exception {
        try (Connection c = connect("?guard.disable=check-then-insert,lock-without-transaction");
             Statement st = c.createStatement()) {
            found(st, "SELECT id FROM users WHERE email = 'missing@d'");
            st.executeUpdate("INSERT INTO users (email) VALUES ('missing@d')");
            found(st, "SELECT id FROM jobs WHERE id = 1 FOR UPDATE");
            assertThat(rules()).isEmpty();
        }
    }

    /** Issue 14: what no enabled rule reads costs nothing: not recorded, its values not kept. */
    @Test
    void aConnectionWithEveryRuleDisabledRecordsOnlyWhatTheIndexCacheNeeds() throws Exception {
        try (Connection all = connect("");
             Connection none = connect("?guard.disable=" + java.util.Arrays.stream(io.jdbcguard.config.RuleId.values())
                     .map(io.jdbcguard.config.RuleId::id).collect(Collectors.joining(",")))) {
            io.jdbcguard.fact.FactBus bus = guard.core().runtime().bus();
            int[] on = bus.masks(all.unwrap(io.jdbcguard.jdbc.GuardConnection.class).info().config());
            int[] off = bus.masks(none.unwrap(io.jdbcguard.jdbc.GuardConnection.class).info().config());
            int select = 1 << io.jdbcguard.sql.StatementKind.SELECT.ordinal();
            int ddl = 1 << io.jdbcguard.sql.StatementKind.DDL.ordinal();
            assertThat(on[0] & select).isNotZero();
            assertThat(on[2] & select).isNotZero();
            assertThat(off[0]).as("executions read").isEqualTo(ddl);
            assertThat(off[1]).as("failures read").isEqualTo(ddl);
            assertThat(off[2]).as("statements seen before they run").isZero();
        }
    }

    @Test
    void guardsDoNotShareFindings() throws Exception {
        try (Guard other = new Guard(); Connection c = other.connect("jdbc:guard:stub:other", new Properties());
             Statement st = c.createStatement()) {
            found(st, "SELECT id FROM users WHERE email = 'missing@o'");
            st.executeUpdate("INSERT INTO users (email) VALUES ('missing@o')");
            assertThat(other.awaitFindings(5_000)).isTrue();
            assertThat(other.findingsByRule()).containsEntry("check-then-insert", 1L);
        }
        assertThat(rules()).isEmpty();
    }
}
