package io.jdbcguard.it;

import static io.jdbcguard.it.PostgresGetOrCreateTest.exec;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: every rule with PostgreSQL's semantics, on a real PostgreSQL 14 through pgJDBC: the unsafe shape and
 * its safe neighbours. Straight on pgJDBC every statement here runs the same and nothing is said (the deadlock's
 * 40P01 is the same exception either way); the findings are the difference. Each test names the MySQL/MariaDB
 * outcome it differs from where it does.
 */
class PostgresRulesTest {

    private Guard guard;
    private final List<Finding> findings = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws SQLException {
        guard = new Guard();
        guard.addFindingListener(findings::add);
        exec("DROP TABLE IF EXISTS \"PgUsers\"", "DROP TABLE IF EXISTS pg_tags", "DROP TABLE IF EXISTS pg_accounts",
                "CREATE TABLE \"PgUsers\" (\"Id\" BIGSERIAL PRIMARY KEY, \"Email\" TEXT NOT NULL UNIQUE, note TEXT)",
                "CREATE TABLE pg_tags (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, color TEXT)",
                "CREATE TABLE pg_accounts (id BIGINT PRIMARY KEY, owner TEXT, balance INT NOT NULL)",
                "INSERT INTO pg_accounts VALUES (1, 'ann', 100), (2, 'bob', 100)");
    }

    @AfterEach
    void stop() {
        guard.close();
    }

    private Connection connect(String... params) throws SQLException {
        return guard.connect(PgDatabase.guardUrl(params), new java.util.Properties());
    }

    /** The findings so far, as "rule:LEVEL", first occurrences only; then forgotten. */
    private List<String> found() throws InterruptedException {
        assertThat(guard.awaitFindings(10_000)).isTrue();
        List<String> out = findings.stream().map(f -> f.rule() + ":" + f.level()).distinct().toList();
        guard.forgetCurrentThread();
        findings.clear();
        return out;
    }

    private static boolean exists(Connection c, String sql, Object key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    @Test
    void checkThenInsertOnQuotedMixedCaseNamesAndItsNeighbours() throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            // Unique "Email": WARN, in PostgreSQL's words.
            assertThat(exists(c, "SELECT \"Id\" FROM \"PgUsers\" WHERE \"Email\" = ?", "a@x")).isFalse();
            update(c, "INSERT INTO \"PgUsers\" (\"Email\") VALUES (?)", "a@x");
            c.commit();
            Thread.sleep(300); // the unique key is read in the background; the finding waits for it
            assertThat(found()).containsExactly("check-then-insert:WARN");

            // No unique index on name: duplicate rows, ERROR.
            assertThat(exists(c, "SELECT id FROM pg_tags WHERE name = ?", "red")).isFalse();
            update(c, "INSERT INTO pg_tags (name) VALUES (?)", "red");
            c.commit();
            assertThat(found()).containsExactly("check-then-insert:ERROR");

            // The check taken FOR UPDATE: on PostgreSQL it locks nothing when it finds nothing, at any level
            // (MySQL/MariaDB at REPEATABLE READ lock the gap: gap-lock-insert there, no check-then-insert).
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            assertThat(exists(c, "SELECT id FROM pg_tags WHERE name = ? FOR UPDATE", "blue")).isFalse();
            update(c, "INSERT INTO pg_tags (name) VALUES (?)", "blue");
            c.commit();
            assertThat(found()).containsExactly("check-then-insert:ERROR");
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);

            // ON CONFLICT DO NOTHING tolerates the race: nothing.
            assertThat(exists(c, "SELECT \"Id\" FROM \"PgUsers\" WHERE \"Email\" = ?", "b@x")).isFalse();
            update(c, "INSERT INTO \"PgUsers\" (\"Email\") VALUES (?) ON CONFLICT (\"Email\") DO NOTHING", "b@x");
            c.commit();
            // SERIALIZABLE serializes the pattern (the loser fails with 40001): nothing.
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            assertThat(exists(c, "SELECT id FROM pg_tags WHERE name = ?", "green")).isFalse();
            update(c, "INSERT INTO pg_tags (name) VALUES (?)", "green");
            c.commit();
            assertThat(found()).isEmpty();
        }
    }

    /** The catalogue in pg_index: a partial or an expression unique index protects nothing the guard can tell. */
    @Test
    void onlyWholeUniqueKeysCount() throws Exception {
        exec("DROP TABLE IF EXISTS pg_keys",
                "CREATE TABLE pg_keys (id BIGSERIAL PRIMARY KEY, a TEXT, b TEXT, c TEXT, live BOOLEAN DEFAULT true)",
                "CREATE UNIQUE INDEX ux_pg_keys_a ON pg_keys (a) WHERE live",
                "CREATE UNIQUE INDEX ux_pg_keys_b ON pg_keys (lower(b))",
                "CREATE UNIQUE INDEX ux_pg_keys_c ON pg_keys (c) INCLUDE (a)");
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            for (String col : new String[] {"a", "b", "c"}) {
                assertThat(exists(c, "SELECT id FROM pg_keys WHERE " + col + " = ?", "k")).isFalse();
                update(c, "INSERT INTO pg_keys (" + col + ") VALUES (?)", "k");
                c.commit();
                Thread.sleep(300); // the keys are read in the background; the finding waits for them
                assertThat(found()).as(col).containsExactly(col.equals("c") ? "check-then-insert:WARN"
                        : "check-then-insert:ERROR");
            }
        }
    }

    @Test
    void lostUpdateAtReadCommittedButNotWhereTheSecondWriterFails() throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            read(c, 1);
            update(c, "UPDATE pg_accounts SET balance = ? WHERE id = ?", 90, 1);
            c.commit();
            assertThat(guard.awaitFindings(10_000)).isTrue();
            assertThat(findings).singleElement().satisfies(f -> {
                assertThat(f.message()).contains("FOR NO KEY UPDATE", "retry it on 40001", "under READ_COMMITTED");
                assertThat(f.database()).isEqualTo("postgresql");
            });
            assertThat(found()).containsExactly("lost-update:WARN");

            // REPEATABLE READ: PostgreSQL fails the second writer with 40001 instead of losing the write
            // (MySQL/MariaDB lose it at REPEATABLE READ too: lost-update there).
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            read(c, 2);
            update(c, "UPDATE pg_accounts SET balance = ? WHERE id = ?", 80, 2);
            c.commit();
            assertThat(found()).isEmpty();
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            // An atomic increment, and the read taken FOR NO KEY UPDATE: safe.
            read(c, 1);
            update(c, "UPDATE pg_accounts SET balance = balance - ? WHERE id = ?", 5, 1);
            try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM pg_accounts WHERE id = ? FOR NO KEY UPDATE")) {
                ps.setLong(1, 2);
                ps.executeQuery().close();
            }
            update(c, "UPDATE pg_accounts SET balance = ? WHERE id = ?", 70, 2);
            c.commit();
            assertThat(found()).isEmpty();
        }
    }

    private static void read(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM pg_accounts WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void lockRulesThatAreInnodbsDoNotFireAndTheOthersDo() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            // Under autocommit the lock ends with the statement: the same on every database.
            st.executeQuery("SELECT balance FROM pg_accounts WHERE id = 1 FOR NO KEY UPDATE").close();
            assertThat(found()).containsExactly("lock-without-transaction:WARN");

            c.setAutoCommit(false);
            // No index on owner: InnoDB would lock every row it scans (lock-without-index there); PostgreSQL locks
            // the rows it returns.
            st.executeQuery("SELECT balance FROM pg_accounts WHERE owner = 'ann' FOR UPDATE").close();
            // A locking read that found nothing, then the insert, at REPEATABLE READ: gap-lock-insert on InnoDB; here
            // nothing was locked, so it is a plain check-then-insert.
            c.commit();
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (ResultSet rs = st.executeQuery("SELECT id FROM pg_tags WHERE name = 'x' FOR UPDATE")) {
                assertThat(rs.next()).isFalse();
            }
            st.executeUpdate("INSERT INTO pg_tags (name) VALUES ('x')");
            c.commit();
            // READ UNCOMMITTED is READ COMMITTED on PostgreSQL: no risky-isolation (a WARN on MySQL/MariaDB).
            c.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
            st.executeQuery("SELECT 1").close();
            c.commit();
            assertThat(found()).containsExactly("check-then-insert:ERROR");
        }
    }

    @Test
    void aRealDeadlockIsReportedWithTheServersDetailAndTheApplicationGetsPgJdbcsException() throws Exception {
        CyclicBarrier both = new CyclicBarrier(2);
        List<SQLException> failures = new CopyOnWriteArrayList<>();
        Concurrently.run(2, t -> {
            try (Connection c = connect()) {
                c.setAutoCommit(false);
                long first = t == 0 ? 1 : 2;
                try {
                    update(c, "UPDATE pg_accounts SET balance = balance + 1 WHERE id = ?", first);
                    both.await(10, TimeUnit.SECONDS);
                    update(c, "UPDATE pg_accounts SET balance = balance + 1 WHERE id = ?", 3 - first);
                    c.commit();
                } catch (SQLException e) {
                    failures.add(e);
                    c.rollback();
                }
            }
        });
        assertThat(failures).singleElement().satisfies(e -> {
            assertThat((Throwable) e).isInstanceOf(org.postgresql.util.PSQLException.class);
            assertThat(e.getSQLState()).isEqualTo("40P01");
        });
        assertThat(guard.awaitFindings(10_000)).isTrue();
        List<Finding> lockFindings = findings.stream().filter(f -> f.count() == 1).toList();
        assertThat(lockFindings).extracting(f -> f.rule() + ":" + f.level()).contains("deadlock:WARN");
        assertThat(lockFindings).filteredOn(f -> f.rule().equals("deadlock")).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("the server says: Process", "waits for ShareLock")
                        .doesNotContain("InnoDB"));
        findings.clear();
    }

    @Test
    void theSummaryNamesTheServerItsDefaultAndTheSetting() throws Exception {
        try (LogCapture log = new LogCapture("jdbcguard"); Connection c = connect("guard.app-packages=io.jdbcguard.it")) {
            c.createStatement().executeQuery("SELECT 1").close();
            long deadline = System.currentTimeMillis() + 10_000;
            while (log.messages().stream().noneMatch(m -> m.contains(" is PostgreSQL "))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(log.messages()).filteredOn(m -> m.contains(" is PostgreSQL ")).singleElement().satisfies(m ->
                    assertThat(m).contains("PostgreSQL 14.", "default isolation READ_COMMITTED",
                            "default_transaction_isolation 'read committed'", "savepoint"));
        }
    }
}
