package io.jdbcguard.it;

import static io.jdbcguard.it.RuleProbe.expect;
import static io.jdbcguard.it.RuleProbe.none;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.sql.Isolation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** risky-isolation and the once-per-data-source server summary, on real servers. */
class IsolationTest {

    static final String RULE = "risky-isolation";

    private static String sessionIsolation(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@session.transaction_isolation")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void run(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void readUncommittedThroughJdbcIsReportedAndTracked() throws Exception {
        try (FactRecorder rec = new FactRecorder()) {
            expect(RULE, 1, () -> {
                try (Connection c = TestDatabase.guarded()) {
                    c.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
                    c.createStatement().executeQuery("SELECT 1").next();
                }
            });
            assertThat(rec.last().isolation()).isEqualTo(Isolation.READ_UNCOMMITTED);
        }
    }

    @Test
    void readUncommittedThroughEachSqlForm() throws Exception {
        for (String sql : List.of("SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
                "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
                "SET @@session.transaction_isolation = 'READ-UNCOMMITTED'",
                "SET SESSION tx_isolation = 'READ-UNCOMMITTED'")) {
            expect(RULE, 1, () -> {
                try (Connection c = TestDatabase.guarded()) {
                    run(c, sql);
                }
            });
        }
    }

    @Test
    void saferLevelsAreNotReported() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                run(c, "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE");
                run(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            }
        });
    }

    @Test
    void theNextTransactionOnlyFormRevertsAfterThatTransaction() throws Exception {
        try (FactRecorder rec = new FactRecorder(); Connection c = TestDatabase.guarded()) {
            c.setAutoCommit(false);
            run(c, "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
            c.createStatement().executeQuery("SELECT 1").next();
            assertThat(rec.last().isolation()).isEqualTo(Isolation.READ_UNCOMMITTED);
            c.commit();
            c.createStatement().executeQuery("SELECT 2").next();
            assertThat(rec.last().isolation()).isEqualTo(Isolation.REPEATABLE_READ);
            assertThat(Isolation.parse(sessionIsolation(c))).isEqualTo(Isolation.REPEATABLE_READ);
            c.commit();
        }
    }

    @Test
    void urlSessionVariablesChoosingReadUncommitted() throws Exception {
        try (FactRecorder rec = new FactRecorder()) {
            expect(RULE, 1, () -> {
                try (Connection c = TestDatabase.guarded("sessionVariables=transaction_isolation='READ-UNCOMMITTED'")) {
                    c.createStatement().executeQuery("SELECT 1").next();
                    assertThat(Isolation.parse(sessionIsolation(c))).isEqualTo(Isolation.READ_UNCOMMITTED);
                }
            });
            assertThat(rec.facts.get(0).isolation()).isEqualTo(Isolation.READ_UNCOMMITTED);
        }
    }

    @Test
    void anySetGlobalOfIsolationIsReportedAndStrictModeRefusesIt() throws Exception {
        try {
            expect(RULE, 1, () -> {
                try (Connection c = TestDatabase.guarded()) {
                    run(c, "SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED");
                }
            });
            TestDatabase.exec("SET GLOBAL TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            try (Connection c = TestDatabase.guarded("guard.mode=strict")) {
                assertThatThrownBy(() -> run(c, "SET GLOBAL transaction_isolation = 'SERIALIZABLE'"))
                        .isInstanceOf(UnsafePatternException.class).hasMessageStartingWith("[risky-isolation] SET GLOBAL");
            }
            try (Connection c = TestDatabase.raw(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT @@global.transaction_isolation")) {
                rs.next();
                assertThat(rs.getString(1)).as("the refused SET GLOBAL did not run").isEqualTo("REPEATABLE-READ");
            }
        } finally {
            TestDatabase.exec("SET GLOBAL TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        }
    }

    @Test
    void strictModeRefusesReadUncommittedBeforeItTakesEffect() throws Exception {
        try (Connection c = TestDatabase.guarded("guard.mode=strict")) {
            assertThatThrownBy(() -> c.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED))
                    .isInstanceOf(UnsafePatternException.class);
            assertThatThrownBy(() -> run(c, "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED"))
                    .isInstanceOf(UnsafePatternException.class);
            assertThat(Isolation.parse(sessionIsolation(c))).isEqualTo(Isolation.REPEATABLE_READ);
        }
    }

    private static ILoggingEvent awaitEvent(LogCapture log, Predicate<ILoggingEvent> p) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            for (ILoggingEvent e : log.events()) {
                if (p.test(e)) {
                    return e;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no such log event; got " + log.messages());
    }

    /** The test database under another name for the same server: what the guard sees as another server. */
    private static String otherServerUrl(String database, String... params) throws SQLException {
        TestDatabase.exec("CREATE DATABASE IF NOT EXISTS " + database);
        String u = TestDatabase.guardUrl(params);
        int q = u.indexOf('?');
        int slash = u.lastIndexOf('/', q);
        return u.substring(0, slash + 1) + database + u.substring(q);
    }

    private static long serverConnections() throws SQLException {
        try (Connection c = TestDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS LIKE 'Connections'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    @Test
    void oncePerServerTheServerIsSummarised() throws Exception {
        // Issue 9: every URL differing in one property was a data source of its own, with a server
        // connection and a summary line each. The summary is read once per server (URL without query) and user.
        String first = otherServerUrl("guard_it_once", "connectTimeout=11111");
        try (LogCapture log = new LogCapture("jdbcguard"); Connection c = java.sql.DriverManager.getConnection(first)) {
            ILoggingEvent e = awaitEvent(log, x -> x.getFormattedMessage().contains("/guard_it_once?")
                    && x.getFormattedMessage().contains("default isolation"));
            // Issue 20, item 3: Connector/J calls every server MySQL; a MariaDB server is named MariaDB.
            assertThat(e.getFormattedMessage()).containsPattern("MariaDB \\d+\\.\\d+\\.\\d+")
                    .doesNotContain("MySQL").doesNotContain("-MariaDB").contains("default isolation REPEATABLE_READ")
                    .contains("autocommit on").contains("innodb_snapshot_isolation OFF")
                    .contains("a re-SELECT after a duplicate key misses the winner's row; fresh read is on");
            Thread.sleep(300);
            long before = serverConnections();
            for (int i = 0; i < 20; i++) {
                try (Connection again = java.sql.DriverManager.getConnection(
                        otherServerUrl("guard_it_once", "connectTimeout=" + (20000 + i)))) {
                    assertThat(again.isValid(1)).isTrue();
                }
            }
            Thread.sleep(300);
            // 20 of the application's, 1 per CREATE DATABASE IF NOT EXISTS above, 1 for reading the counter:
            // none of the guard's own.
            assertThat(serverConnections() - before).isEqualTo(20 + 20 + 1);
            assertThat(log.messages()).filteredOn(m -> m.contains("/guard_it_once?") && m.contains("default isolation"))
                    .hasSize(1);
        }
    }

    @Test
    void aSerializableServerDefaultIsExplained() throws Exception {
        try (LogCapture log = new LogCapture("jdbcguard")) {
            TestDatabase.exec("SET GLOBAL TRANSACTION ISOLATION LEVEL SERIALIZABLE");
            try (Connection c = java.sql.DriverManager.getConnection(otherServerUrl("guard_it_ser"))) {
                ILoggingEvent e = awaitEvent(log, x -> x.getFormattedMessage().contains("/guard_it_ser?")
                        && x.getFormattedMessage().contains("default isolation"));
                assertThat(e.getFormattedMessage()).contains("default isolation SERIALIZABLE")
                        .contains("deadlocks (1213) become routine").contains("io.jdbcguard.Retry");
            }
        } finally {
            TestDatabase.exec("SET GLOBAL TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        }
    }

    @Test
    void aServerStartedWithReadUncommittedIsReported() throws Exception {
        try (TestDatabase.Server server = TestDatabase.startServer("--transaction-isolation=READ-UNCOMMITTED");
             LogCapture log = new LogCapture("jdbcguard");
             FactRecorder rec = new FactRecorder();
             Connection c = java.sql.DriverManager.getConnection("jdbc:guard:" + server.url.substring(5))) {
            ILoggingEvent warn = awaitEvent(log, x -> x.getLoggerName().equals("jdbcguard.risky-isolation")
                    && x.getFormattedMessage().contains(server.url.substring(0, server.url.indexOf('?'))));
            assertThat(warn.getFormattedMessage()).startsWith("[risky-isolation] READ UNCOMMITTED is the default of the server");
            c.createStatement().executeQuery("SELECT 1").next();
            assertThat(rec.last().isolation()).isEqualTo(Isolation.READ_UNCOMMITTED);
        }
    }
}
