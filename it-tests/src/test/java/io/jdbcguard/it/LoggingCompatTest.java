package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.jdbcguard.internal.GuardLog;
import io.jdbcguard.internal.InternalErrors;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: every finding reaches the log on SLF4J 2 with Logback 1.5 (the normal run) and on
 * slf4j-api 1.7.36 with Logback 1.2 (a second Surefire execution of this class, see it-tests/pom.xml),
 * with the same facts: key-values where SLF4J 2 carries them, {@code key=value} pairs in the message
 * on 1.7. A finding made on the guard's own thread (the server summary) too.
 */
class LoggingCompatTest {

    private static final Pattern PAIR = Pattern.compile(" (\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)");

    @BeforeEach
    void forget() {
        io.jdbcguard.Guard.global().forgetCurrentThread();
    }

    @Test
    void theRunUsesTheSlf4jItExpects() {
        String expected = System.getProperty("jdbcguard.expectSlf4j", "2");
        assertThat(GuardLog.FLUENT).as("SLF4J " + expected + " on the class path").isEqualTo(!expected.equals("1.7"));
        boolean fluentInJvm;
        try {
            org.slf4j.Logger.class.getMethod("atInfo");
            fluentInJvm = true;
        } catch (NoSuchMethodException e) {
            fluentInJvm = false;
        }
        assertThat(fluentInJvm).isEqualTo(GuardLog.FLUENT);
    }

    /** The facts of a log line: its key-values on SLF4J 2, the pairs appended to its message on 1.7. */
    static Map<String, String> facts(ILoggingEvent e) {
        Map<String, String> out = new LinkedHashMap<>();
        if (GuardLog.FLUENT) {
            out.putAll(Slf4j2Facts.of(e)); // a class of its own: SLF4J 1.7 has no KeyValuePair to link
        } else {
            Matcher m = PAIR.matcher(e.getFormattedMessage());
            while (m.find()) {
                String v = m.group(2);
                out.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1).replace("\\\"", "\"") : v);
            }
        }
        return out;
    }

    @Test
    void findingsOfEveryLevelReachTheLogWithTheirFacts() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS lc_u",
                "CREATE TABLE lc_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL)");
        long internal = InternalErrors.count();
        try (LogCapture log = new LogCapture("jdbcguard"); Connection c = TestDatabase.guarded();
             Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            try (ResultSet rs = st.executeQuery("SELECT id FROM lc_u WHERE email = 'compat@x'")) {
                assertThat(rs.next()).isFalse();
            }
            st.executeUpdate("INSERT INTO lc_u (email) VALUES ('compat@x')");
            c.commit();
            c.setAutoCommit(true);
            st.executeQuery("SELECT id FROM lc_u WHERE email = 'compat@x' FOR UPDATE").close();

            ILoggingEvent error = log.events().stream()
                    .filter(e -> e.getLoggerName().equals("jdbcguard.check-then-insert")).findFirst().orElseThrow();
            assertThat(error.getLevel()).isEqualTo(Level.ERROR);
            assertThat(error.getFormattedMessage()).startsWith("[check-then-insert] lc_u(email)");
            Map<String, String> f = facts(error);
            assertThat(f).containsEntry("rule", "check-then-insert").containsEntry("table", "lc_u")
                    .containsEntry("columns", "email").containsEntry("isolation", "REPEATABLE_READ")
                    .containsEntry("sql", "INSERT INTO lc_u (email) VALUES (?)");
            assertThat(f.get("checkSite")).startsWith(LoggingCompatTest.class.getName() + ".findingsOfEveryLevel");
            assertThat(f.get("writeSite")).startsWith(LoggingCompatTest.class.getName() + ".findingsOfEveryLevel");

            ILoggingEvent warn = log.events().stream()
                    .filter(e -> e.getLoggerName().equals("jdbcguard.lock-without-transaction")).findFirst().orElseThrow();
            assertThat(warn.getLevel()).isEqualTo(Level.WARN);
            assertThat(facts(warn)).containsEntry("rule", "lock-without-transaction").containsEntry("table", "lc_u");
        }
        // The server summary is written on the guard's own thread: it must not die there.
        TestDatabase.exec("CREATE DATABASE IF NOT EXISTS guard_it_compat" + (GuardLog.FLUENT ? "2" : "17"));
        String u = TestDatabase.guardUrl();
        String other = u.substring(0, u.lastIndexOf('/', u.indexOf('?')) + 1) + "guard_it_compat"
                + (GuardLog.FLUENT ? "2" : "17") + u.substring(u.indexOf('?'));
        try (LogCapture log = new LogCapture("jdbcguard"); Connection c = DriverManager.getConnection(other)) {
            long deadline = System.currentTimeMillis() + 15_000;
            ILoggingEvent summary = null;
            while (summary == null && System.currentTimeMillis() < deadline) {
                summary = log.events().stream().filter(e -> e.getFormattedMessage().contains("default isolation"))
                        .findFirst().orElse(null);
                Thread.sleep(20);
            }
            assertThat(summary).as("the server summary, from the guard's thread").isNotNull();
            assertThat(facts(summary)).containsEntry("isolation", "REPEATABLE_READ").containsKey("server");
        }
        assertThat(InternalErrors.count()).as("no internal error").isEqualTo(internal);
    }

    @Test
    void pairsAreAppendedSoThatTheyParseBack() throws SQLException {
        // The 1.7 form, tested on either SLF4J: what a value with spaces and quotes becomes.
        String line = io.jdbcguard.internal.GuardLogAccess.withPairs("[r] msg", "sql", "SELECT \"a\" FROM t",
                "table", "t", "none", null);
        assertThat(line).isEqualTo("[r] msg sql=\"SELECT \\\"a\\\" FROM t\" table=t");
    }

    /** SLF4J 2 key-values of an event; loaded only where they exist. */
    static final class Slf4j2Facts {
        static Map<String, String> of(ILoggingEvent e) {
            Map<String, String> out = new LinkedHashMap<>();
            if (e.getKeyValuePairs() != null) {
                for (org.slf4j.event.KeyValuePair kv : e.getKeyValuePairs()) {
                    out.put(kv.key, String.valueOf(kv.value));
                }
            }
            return out;
        }
    }
}
