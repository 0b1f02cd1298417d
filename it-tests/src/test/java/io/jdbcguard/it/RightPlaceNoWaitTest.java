package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.jdbcguard.GuardDataSource;
import io.jdbcguard.GuardStats;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 15: a finding names the places of its own statements, every check is reported, nobody waits. */
class RightPlaceNoWaitTest {

    @BeforeEach
    void forget() {
        io.jdbcguard.Guard.global().forgetCurrentThread();
    }

    static final String COUNT = "select count(1) from rp_fav where article_id=? and user_id=?";

    /** The read path: decorates an article with "favorited by this user?", the same SQL as the check below. */
    private static boolean decorate(Connection c, long article, long user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COUNT)) {
            ps.setLong(1, article);
            ps.setLong(2, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /** The write path: checks, then inserts. */
    private static void favorite(Connection c, long article, long user) throws SQLException {
        long n;
        try (PreparedStatement ps = c.prepareStatement(COUNT)) {
            ps.setLong(1, article);
            ps.setLong(2, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                n = rs.getLong(1);
            }
        }
        if (n == 0) {
            try (PreparedStatement ps = c.prepareStatement("insert into rp_fav (article_id, user_id) values (?, ?)")) {
                ps.setLong(1, article);
                ps.setLong(2, user);
                ps.executeUpdate();
            }
        }
    }

    @Test
    void oneSqlRunFromTwoPlacesNamesTheCheckOnTheWritesOwnPath() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS rp_fav",
                "CREATE TABLE rp_fav (id BIGINT AUTO_INCREMENT PRIMARY KEY, article_id BIGINT, user_id BIGINT)");
        try (LogCapture log = new LogCapture("jdbcguard.check-then-insert"); Connection c = TestDatabase.guarded()) {
            for (int i = 0; i < 40; i++) {
                assertThat(decorate(c, i, 7)).isFalse(); // the read path, many times first
            }
            favorite(c, 3, 7);
            List<ILoggingEvent> events = log.events();
            assertThat(events).hasSize(1);
            String msg = events.get(0).getFormattedMessage();
            assertThat(msg).contains("rp_fav(article_id, user_id)")
                    .contains("a SELECT COUNT(…) at " + RightPlaceNoWaitTest.class.getName() + ".favorite(")
                    .contains("INSERT at " + RightPlaceNoWaitTest.class.getName() + ".favorite(")
                    .doesNotContain("decorate");
            assertThat(LoggingCompatTest.facts(events.get(0)).get("checkSite"))
                    .startsWith(RightPlaceNoWaitTest.class.getName() + ".favorite(");
        }
    }

    private static long balance(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM rp_acc WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void withdraw(Connection c, long id, long amount) throws SQLException {
        long b;
        try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM rp_acc WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                b = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE rp_acc SET balance = ? WHERE id = ?")) {
            ps.setLong(1, b - amount);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    @Test
    void aReadWhoseSiteWasNotWalkedIsNeverReportedAtAnotherPlace() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS rp_acc",
                "CREATE TABLE rp_acc (id BIGINT PRIMARY KEY, balance BIGINT)", "INSERT INTO rp_acc VALUES (1, 100)");
        try (LogCapture log = new LogCapture("jdbcguard.lost-update"); Connection c = TestDatabase.guarded()) {
            for (int i = 0; i < 40; i++) {
                balance(c, 1); // the same read SQL, hot elsewhere
            }
            withdraw(c, 1, 5);
            withdraw(c, 1, 5);
            withdraw(c, 1, 5);
            List<String> sites = log.events().stream()
                    .map(e -> LoggingCompatTest.facts(e).get("checkSite")).collect(Collectors.toList());
            assertThat(sites).as("reported, and only at the read on the UPDATE's own path").isNotEmpty()
                    .allSatisfy(s -> assertThat(s).startsWith(RightPlaceNoWaitTest.class.getName() + ".withdraw("));
        }
    }

    @Test
    void twoChecksBeforeOneInsertAreTwoFindings() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS rp_users",
                "CREATE TABLE rp_users (id BIGINT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(50), email VARCHAR(100),"
                        + " UNIQUE KEY ux_rp_name (username), UNIQUE KEY ux_rp_mail (email))");
        try (LogCapture log = new LogCapture("jdbcguard.check-then-insert"); Connection c = TestDatabase.guarded()) {
            c.setAutoCommit(false);
            try (PreparedStatement byName = c.prepareStatement("SELECT id FROM rp_users WHERE username = ?");
                 PreparedStatement byMail = c.prepareStatement("SELECT id FROM rp_users WHERE email = ?");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO rp_users (username, email) VALUES (?, ?)")) {
                byName.setString(1, "ann");
                try (ResultSet rs = byName.executeQuery()) {
                    assertThat(rs.next()).isFalse();
                }
                byMail.setString(1, "ann@x");
                try (ResultSet rs = byMail.executeQuery()) {
                    assertThat(rs.next()).isFalse();
                }
                ins.setString(1, "ann");
                ins.setString(2, "ann@x");
                ins.executeUpdate();
            }
            c.commit();
            assertThat(log.events().stream().map(e -> LoggingCompatTest.facts(e).get("columns")))
                    .containsExactlyInAnyOrder("username", "email");
        }
    }

    /** The test database as a DataSource whose connections open slowly on the guard's own threads only. */
    static final class SlowForTheGuard extends ConnectionSource {
        volatile int slowOpens;

        @Override
        public Connection getConnection() throws SQLException {
            if (Thread.currentThread().getName().startsWith("jdbc-guard")) {
                slowOpens++;
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return DriverManager.getConnection(TestDatabase.url());
        }
    }

    private static long insertAfterCheckMillis(Connection c, String table, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " WHERE email = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isFalse();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (email) VALUES (?)")) {
            ps.setString(1, email);
            long start = System.nanoTime();
            ps.executeUpdate();
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    @Test
    void theFirstFindingOnATableAddsNoWaitOnTheApplicationsThread() throws Exception {
        // Issue 15, item 4: the first finding per table waited (up to 2 s) for the unique-index lookup, inside
        // the application's transaction. Here the guard's own connection takes 1.5 s to open.
        TestDatabase.execGuarded("DROP TABLE IF EXISTS rp_wait",
                "CREATE TABLE rp_wait (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100))");
        long raw;
        try (Connection c = TestDatabase.raw()) {
            c.setAutoCommit(false);
            raw = insertAfterCheckMillis(c, "rp_wait", "raw@x");
            c.rollback();
        }
        SlowForTheGuard slow = new SlowForTheGuard();
        GuardDataSource ds = new GuardDataSource(slow);
        try (LogCapture log = new LogCapture("jdbcguard.check-then-insert"); Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            long guarded = insertAfterCheckMillis(c, "rp_wait", "guard@x");
            c.rollback();
            assertThat(guarded).as("the completing INSERT through the guard (raw took %d ms)", raw)
                    .isLessThan(raw + 500);
            assertThat(GuardStats.awaitFindings(10_000)).isTrue();
            assertThat(slow.slowOpens).as("the lookup did use the guard's own, slow connection").isPositive();
            assertThat(log.events()).singleElement().satisfies(e ->
                    assertThat(e.getFormattedMessage()).contains("rp_wait(email)").contains("no unique index"));
        }
    }
}
