package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import io.jdbcguard.JdbcGuard;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: MariaDB Connector/J (3.5) as the real driver behind {@code jdbc:guard:mariadb:}: the same
 * findings, its own exception classes, SQLStates and codes as straight, and the fresh read (its
 * {@code LOCK IN SHARE MODE}) on the embedded server.
 */
class MariaDbDriverTest {

    /** The test database's address for MariaDB Connector/J. */
    static String mariadbUrl() {
        String u = TestDatabase.url();
        return "jdbc:mariadb:" + u.substring("jdbc:mysql:".length(), u.indexOf('?')) + "?user=root";
    }

    @BeforeEach
    void table() {
        TestDatabase.exec("DROP TABLE IF EXISTS md_u",
                "CREATE TABLE md_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL,"
                        + " UNIQUE KEY ux_md_u (email))");
        Guard.global().forgetCurrentThread();
    }

    private static String outcome(Statement st, String sql) {
        try {
            if (st.execute(sql)) {
                try (ResultSet rs = st.getResultSet()) {
                    return "rows " + (rs.next() ? rs.getString(1) : "none");
                }
            }
            return "count " + st.getUpdateCount();
        } catch (SQLException e) {
            return "threw " + e.getClass().getName() + " " + e.getSQLState() + " " + e.getErrorCode();
        }
    }

    @Test
    void theDriversOwnResultsAndExceptionsStraightAndThroughTheGuard() throws Exception {
        String[] program = {"INSERT INTO md_u (email) VALUES ('a@x')", "INSERT INTO md_u (email) VALUES ('a@x')",
            "SELEC nonsense", "SELECT email FROM md_u WHERE id = 1", "UPDATE md_u SET email = 'b@x' WHERE id = 1",
            "SELECT email FROM md_u WHERE id = 1"};
        List<String> raw = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(mariadbUrl()); Statement st = c.createStatement()) {
            assertThat(c.getClass().getName()).startsWith("org.mariadb.jdbc.");
            for (String sql : program) {
                raw.add(outcome(st, sql));
            }
        }
        table();
        List<String> guarded = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:guard:" + mariadbUrl().substring(5));
             Statement st = c.createStatement()) {
            assertThat(c.isWrapperFor(org.mariadb.jdbc.Connection.class)).isTrue();
            for (String sql : program) {
                guarded.add(outcome(st, sql));
            }
        }
        assertThat(guarded).isEqualTo(raw);
        assertThat(raw.get(1)).contains("SQLIntegrityConstraintViolationException 23000 1062");
    }

    @Test
    void findingsAndTheFreshReadWithMariaDbConnectorJ() throws Exception {
        List<Finding> seen = new CopyOnWriteArrayList<>();
        try (JdbcGuard.Registration r = JdbcGuard.addFindingListener(seen::add);
             Connection c = DriverManager.getConnection("jdbc:guard:" + mariadbUrl().substring(5))) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM md_u WHERE email = ?")) {
                ps.setString(1, "m@x");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isFalse();
                }
                TestDatabase.exec("INSERT INTO md_u (email) VALUES ('m@x')"); // another connection wins
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO md_u (email) VALUES (?)")) {
                    ins.setString(1, "m@x");
                    ins.executeUpdate();
                } catch (java.sql.SQLIntegrityConstraintViolationException lost) {
                    assertThat(lost.getErrorCode()).isEqualTo(1062);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("the re-read after the duplicate, repaired").isTrue();
                }
            }
            c.rollback();
            assertThat(Guard.global().awaitFindings(10_000)).isTrue();
        }
        assertThat(seen).extracting(f -> f.rule() + ":" + f.level())
                .contains("check-then-insert:WARN", "stale-read-after-duplicate:INFO");
    }
}
