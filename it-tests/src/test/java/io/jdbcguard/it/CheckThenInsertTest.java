package io.jdbcguard.it;

import static io.jdbcguard.it.RuleProbe.expect;
import static io.jdbcguard.it.RuleProbe.none;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** check-then-insert on the real server: every unsafe shape reported, every safe neighbour silent. */
class CheckThenInsertTest {

    static final String CTI = "check-then-insert";

    @BeforeEach
    void tables() {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS cti_u", "DROP TABLE IF EXISTS cti_n", "DROP TABLE IF EXISTS cti_parent",
                "CREATE TABLE cti_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, name VARCHAR(50), "
                        + "UNIQUE KEY ux_cti_u_email (email))",
                "CREATE TABLE cti_n (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, name VARCHAR(50), "
                        + "KEY ix_cti_n_email (email))",
                "CREATE TABLE cti_parent (id INT PRIMARY KEY)", "INSERT INTO cti_parent VALUES (1)");
    }

    private static boolean select(Connection c, String sql, Object key) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && (rs.getMetaData().getColumnLabel(1).toLowerCase().matches("count.*|exists.*|e")
                        ? rs.getLong(1) > 0 : true);
            }
        }
    }

    private static void insert(Connection c, String table, String email) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (email, name) VALUES (?, ?)")) {
            ps.setString(1, email);
            ps.setString(2, "n");
            ps.executeUpdate();
        }
    }

    // ---- unsafe -----------------------------------------------------------------------------------

    @Test
    void preparedCheckThenInsertUnderAutocommit() throws Exception {
        expect(CTI, 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                assertThat(select(c, "SELECT id FROM cti_u WHERE email = ?", "a@x")).isFalse();
                insert(c, "cti_u", "a@x");
            }
        });
    }

    @Test
    void inOneExplicitTransaction() throws Exception {
        expect(CTI, 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                select(c, "SELECT id FROM cti_u WHERE email = ?", "b@x");
                insert(c, "cti_u", "b@x");
                c.commit();
            }
        });
    }

    @Test
    void countZeroExistsFalseAndLimitOneForms() throws Exception {
        for (String check : List.of("SELECT COUNT(*) FROM cti_u WHERE email = ?",
                "SELECT EXISTS(SELECT 1 FROM cti_u WHERE email = ?) AS e",
                "SELECT 1 FROM cti_u WHERE email = ? LIMIT 1")) {
            String key = "k" + check.length() + "@x";
            expect(CTI, 1, () -> {
                try (Connection c = TestDatabase.guarded()) {
                    assertThat(select(c, check, key)).isFalse();
                    insert(c, "cti_u", key);
                }
            });
        }
    }

    @Test
    void plainStatementsWithLiteralsBacktickedAndSchemaQualified() throws Exception {
        expect(CTI, 1, () -> {
            try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT `id` FROM `" + TestDatabase.DATABASE
                        + "`.`cti_u` WHERE `email` = 'lit@x'")) {
                    assertThat(rs.next()).isFalse();
                }
                st.executeUpdate("INSERT INTO cti_u (name, email) VALUES ('n', 'lit@x')");
            }
        });
    }

    @Test
    void batchedInsertAfterTheCheck() throws Exception {
        expect(CTI, 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                select(c, "SELECT id FROM cti_u WHERE email = ?", "batch@x");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO cti_u (email, name) VALUES (?, ?)")) {
                    for (String e : List.of("other@x", "batch@x")) {
                        ps.setString(1, e);
                        ps.setString(2, "n");
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
            }
        });
    }

    @Test
    void checkInOneTransactionInsertInTheNextOnAnotherPooledConnection() throws Exception {
        try (HikariDataSource pool = TestDatabase.guardedPool(2, false)) {
            expect(CTI, 1, () -> {
                try (Connection a = pool.getConnection(); Connection b = pool.getConnection()) {
                    assertThat(a.unwrap(io.jdbcguard.jdbc.GuardConnection.class).info().id())
                            .isNotEqualTo(b.unwrap(io.jdbcguard.jdbc.GuardConnection.class).info().id());
                    select(a, "SELECT id FROM cti_u WHERE email = ?", "pool@x");
                    a.commit();
                    insert(b, "cti_u", "pool@x");
                    b.commit();
                }
            });
        }
    }

    @Test
    void errorWithoutUniqueIndexWarnWithOneAndTheLogLineCarriesEverything() throws Exception {
        try (LogCapture log = new LogCapture("jdbcguard." + CTI); Connection c = TestDatabase.guarded()) {
            select(c, "SELECT id FROM cti_n WHERE email = ?", "e@x");
            insert(c, "cti_n", "e@x");
            select(c, "SELECT id FROM cti_u WHERE email = ?", "w@x");
            insert(c, "cti_u", "w@x");
            List<ILoggingEvent> events = log.events();
            assertThat(events).hasSize(2);
            // Each table's first finding is logged once its indexes are read, in the background: in either order.
            ILoggingEvent error = events.stream().filter(e -> e.getFormattedMessage().contains("] cti_n(")).findFirst()
                    .orElseThrow();
            assertThat(error.getLevel()).isEqualTo(Level.ERROR);
            assertThat(error.getLoggerName()).isEqualTo("jdbcguard.check-then-insert");
            assertThat(error.getFormattedMessage()).startsWith("[check-then-insert] cti_n(email): a SELECT at "
                            + "io.jdbcguard.it.CheckThenInsertTest.select(CheckThenInsertTest.java:")
                    .contains("then an INSERT at io.jdbcguard.it.CheckThenInsertTest.insert(CheckThenInsertTest.java:")
                    .contains("as separate autocommit statements").contains("REPEATABLE_READ")
                    .contains("no unique index on (email)").contains("Fix: add a UNIQUE index on (email)");
            Map<String, Object> kv = error.getKeyValuePairs().stream()
                    .collect(Collectors.toMap(p -> p.key, p -> p.value));
            assertThat(kv).containsEntry("rule", "check-then-insert").containsEntry("table", "cti_n")
                    .containsEntry("columns", "email").containsEntry("isolation", "REPEATABLE_READ")
                    .containsEntry("sql", "INSERT INTO cti_n (email, name) VALUES (?, ?)")
                    .containsEntry("checkSql", "SELECT id FROM cti_n WHERE email = ?")
                    .containsEntry("database", TestDatabase.embedded() ? "mariadb" : kv.get("database"));
            assertThat((String) kv.get("checkSite")).startsWith("io.jdbcguard.it.CheckThenInsertTest.select(");
            assertThat((String) kv.get("writeSite")).startsWith("io.jdbcguard.it.CheckThenInsertTest.insert(");
            assertThat(error.getFormattedMessage()).doesNotContain("e@x");

            ILoggingEvent warn = events.stream().filter(e -> e.getFormattedMessage().contains("] cti_u(")).findFirst()
                    .orElseThrow();
            assertThat(warn.getLevel()).isEqualTo(Level.WARN);
            assertThat(warn.getFormattedMessage()).startsWith("[check-then-insert] cti_u(email)")
                    .contains("duplicate-key error (1062, SQLState 23000) from the unique index")
                    .contains("re-SELECT in the same transaction still misses");
        }
    }

    @Test
    void aUniqueIndexAddedThroughTheGuardIsSeenAtTheNextFinding() throws Exception {
        long lookups = io.jdbcguard.GuardStats.indexLookups();
        try (LogCapture log = new LogCapture("jdbcguard." + CTI); Connection c = TestDatabase.guarded();
             Statement st = c.createStatement()) {
            for (int i = 0; i < 3; i++) { // three places, one table: its indexes are read once
                try (ResultSet rs = st.executeQuery("SELECT id FROM cti_n WHERE email = 'once" + i + "@x' /* " + i + " */")) {
                    assertThat(rs.next()).isFalse();
                }
                if (i == 0) {
                    st.executeUpdate("INSERT INTO cti_n (email) VALUES ('once0@x')");
                } else if (i == 1) {
                    st.executeUpdate("INSERT INTO cti_n (email) VALUES ('once1@x')");
                } else {
                    st.executeUpdate("INSERT INTO cti_n (email) VALUES ('once2@x')");
                }
            }
            assertThat(io.jdbcguard.GuardStats.awaitFindings(10_000)).isTrue(); // the index read runs in the background
            assertThat(io.jdbcguard.GuardStats.indexLookups() - lookups).isEqualTo(1);
            assertThat(log.events()).extracting(ILoggingEvent::getLevel)
                    .containsExactly(Level.ERROR, Level.ERROR, Level.ERROR);
            log.close();
        }
        try (LogCapture log = new LogCapture("jdbcguard." + CTI); Connection c = TestDatabase.guarded();
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id FROM cti_n WHERE email = 'before@x'")) {
                assertThat(rs.next()).isFalse();
            }
            st.executeUpdate("INSERT INTO cti_n (email) VALUES ('before@x')");
            st.execute("ALTER TABLE cti_n ADD UNIQUE INDEX ux_cti_n_email (email)");
            try (ResultSet rs = st.executeQuery("SELECT id FROM cti_n WHERE email = 'after@x'")) {
                assertThat(rs.next()).isFalse();
            }
            st.executeUpdate("INSERT INTO cti_n (email) VALUES ('after@x')");
            assertThat(log.events()).extracting(ILoggingEvent::getLevel).containsExactly(Level.ERROR, Level.WARN);
            assertThat(io.jdbcguard.GuardStats.awaitFindings(10_000)).isTrue();
            assertThat(io.jdbcguard.GuardStats.indexLookups() - lookups).as("read again after the DDL only").isEqualTo(2);
        }
    }

    @Test
    void logValuesShowsTheValues() throws Exception {
        try (LogCapture log = new LogCapture("jdbcguard." + CTI); Connection c = TestDatabase.guarded("guard.log-values=true");
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id FROM cti_u WHERE email = 'shown@x'")) {
                assertThat(rs.next()).isFalse();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cti_u (email) VALUES (?)")) {
                ps.setString(1, "shown@x");
                ps.executeUpdate();
            }
            Map<String, Object> kv = log.events().get(0).getKeyValuePairs().stream()
                    .collect(Collectors.toMap(p -> p.key, p -> p.value));
            assertThat((String) kv.get("sql")).contains("1=shown@x");
        }
    }

    // ---- safe neighbours ------------------------------------------------------------------------

    @Test
    void aNamedLockSerializesUntilReleasedEvenWhenNobodyReadsTheRelease() throws Exception {
        // Flyway takes GET_LOCK and releases it without reading RELEASE_LOCK's result: the guard once kept
        // the lock for ever and every later pattern on that pooled connection was taken as serialized.
        try (Connection c = TestDatabase.guarded(); java.sql.Statement st = c.createStatement()) {
            expect(CTI, 0, () -> {
                try (ResultSet rs = st.executeQuery("SELECT GET_LOCK('cti', 5)")) {
                    assertThat(rs.next()).isTrue();
                }
                select(c, "SELECT id FROM cti_n WHERE email = ?", "locked@x");
                insert(c, "cti_n", "locked@x");
            });
            expect(CTI, 1, () -> {
                st.execute("SELECT RELEASE_LOCK('cti')"); // its result never read
                select(c, "SELECT id FROM cti_n WHERE email = ?", "released@x");
                insert(c, "cti_n", "released@x");
            });
        }
    }

    @Test
    void lockingChecksInTheTransactionMakeNoDuplicateButDeadlockAtRepeatableRead() throws Exception {
        // Issue 23: no check-then-insert (the gap lock stops the duplicate), but every concurrent caller takes
        // the same gap lock and all but one die at the INSERT: gap-lock-insert.
        for (String lock : List.of(" FOR UPDATE", " LOCK IN SHARE MODE")) {
            expect("gap-lock-insert", 1, () -> {
                try (Connection c = TestDatabase.guarded()) {
                    c.setAutoCommit(false);
                    select(c, "SELECT id FROM cti_u WHERE email = ?" + lock, "lock" + lock.length() + "@x");
                    insert(c, "cti_u", "lock" + lock.length() + "@x");
                    c.commit();
                }
            });
        }
    }

    @Test
    void anEarlierForUpdateOfAParentRowSerializes() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                select(c, "SELECT id FROM cti_parent WHERE id = ? FOR UPDATE", 1);
                select(c, "SELECT id FROM cti_u WHERE email = ?", "child@x");
                insert(c, "cti_u", "child@x");
                c.commit();
            }
        });
    }

    @Test
    void upsertsIgnoreAndReplaceAreSafe() throws Exception {
        for (String write : List.of("INSERT IGNORE INTO cti_u (email) VALUES (?)",
                "INSERT INTO cti_u (email) VALUES (?) ON DUPLICATE KEY UPDATE name = 'again'",
                "REPLACE INTO cti_u (email) VALUES (?)")) {
            none(() -> {
                try (Connection c = TestDatabase.guarded()) {
                    select(c, "SELECT id FROM cti_u WHERE email = ?", "up@x");
                    try (PreparedStatement ps = c.prepareStatement(write)) {
                        ps.setString(1, "up@x");
                        ps.executeUpdate();
                    }
                }
            });
        }
    }

    @Test
    void insertFirstThenCatchTheDuplicateIsSafe() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                insert(c, "cti_u", "first@x");
                try {
                    insert(c, "cti_u", "first@x");
                } catch (SQLIntegrityConstraintViolationException e) {
                    assertThat(select(c, "SELECT id FROM cti_u WHERE email = ?", "first@x")).isTrue();
                }
            }
        });
    }

    @Test
    void serializableTransactionIsSafe() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                c.setAutoCommit(false);
                select(c, "SELECT id FROM cti_u WHERE email = ?", "ser@x");
                insert(c, "cti_u", "ser@x");
                c.commit();
            }
        });
    }

    @Test
    void aCheckThatFoundTheRowOrADifferentKeyIsSafe() throws Exception {
        TestDatabase.exec("INSERT INTO cti_u (email) VALUES ('there@x')");
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                assertThat(select(c, "SELECT id FROM cti_u WHERE email = ?", "there@x")).isTrue();
                insert(c, "cti_u", "new1@x");
                assertThat(select(c, "SELECT id FROM cti_u WHERE email = ?", "absent@x")).isFalse();
                insert(c, "cti_u", "new2@x");
            }
        });
    }

    @Test
    void anInsertAfterTheWindowIsSafe() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded("guard.window-ms=50")) {
                select(c, "SELECT id FROM cti_u WHERE email = ?", "late@x");
                Thread.sleep(150);
                insert(c, "cti_u", "late@x");
            }
        });
        expect(CTI, 1, () -> {
            try (Connection c = TestDatabase.guarded("guard.window-ms=5000")) {
                select(c, "SELECT id FROM cti_u WHERE email = ?", "ontime@x");
                Thread.sleep(150);
                insert(c, "cti_u", "ontime@x");
            }
        });
    }

    @Test
    void checkOnOneThreadInsertOnAnotherIsSafe() throws Exception {
        none(() -> {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try (Connection c = TestDatabase.guarded()) {
                    select(c, "SELECT id FROM cti_u WHERE email = ?", "threads@x");
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            t.join();
            assertThat(failure.get()).isNull();
            try (Connection c = TestDatabase.guarded()) {
                insert(c, "cti_u", "threads@x");
            }
        });
    }

    @Test
    void disabledRuleIsNotRun() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded("guard.disable=check-then-insert")) {
                select(c, "SELECT id FROM cti_u WHERE email = ?", "off@x");
                insert(c, "cti_u", "off@x");
            }
        });
    }
}
