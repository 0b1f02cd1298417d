package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, item 1, on MariaDB: a session's {@code SET sql_mode} changes how the server reads texts, and the
 * guard reads them the same way. Under {@code NO_BACKSLASH_ESCAPES} a backslash ends nothing; under
 * {@code ANSI_QUOTES} double quotes name columns. Read in the default syntax, each check below hides its key
 * (the string swallows the parameter, or the name becomes a string), and the race went unreported.
 */
class SqlModeTest {

    private static void table() {
        TestDatabase.exec("DROP TABLE IF EXISTS sm_t",
                "CREATE TABLE sm_t (id BIGINT AUTO_INCREMENT PRIMARY KEY, path VARCHAR(100), email VARCHAR(100))");
    }

    private static void getOrCreate(Connection c, String check, String insert, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(check)) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isFalse();
            }
        }
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            ps.setString(1, email);
            ps.executeUpdate();
        }
        c.commit();
    }

    @Test
    void noBackslashEscapesSetByTheSessionIsReadAsTheServerReadsIt() throws Exception {
        table();
        // The session's own SET, and texts with their values written in (Connector/J does not re-read sql_mode
        // after a SET, so its own placeholders would be misread: an application sets the mode as below).
        Map<String, Long> found = RuleProbe.findings(() -> {
            try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
                st.execute("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'");
                c.setAutoCommit(false);
                try (ResultSet rs = st.executeQuery("SELECT id FROM sm_t WHERE path = 'c:\\' AND email = 'a@x'")) {
                    assertThat(rs.next()).isFalse();
                }
                st.executeUpdate("INSERT INTO sm_t (path, email) VALUES ('c:\\', 'a@x')");
                c.commit();
            }
        });
        assertThat(found).isEqualTo(Map.of("check-then-insert", 1L));
        // Connector/J's sessionVariables set it at connect: the guard reads the mode from the same setting.
        found = RuleProbe.findings(() -> {
            try (Connection c = TestDatabase.guarded("sessionVariables=sql_mode='NO_BACKSLASH_ESCAPES'")) {
                c.setAutoCommit(false);
                getOrCreate(c, "SELECT id FROM sm_t WHERE path = 'd:\\' AND email = ?",
                        "INSERT INTO sm_t (path, email) VALUES ('d:\\', ?)", "b@x");
            }
        });
        assertThat(found).isEqualTo(Map.of("check-then-insert", 1L));
    }

    @Test
    void ansiQuotesSetByTheSessionMakeDoubleQuotesNames() throws Exception {
        table();
        Map<String, Long> found = RuleProbe.findings(() -> {
            try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
                st.execute("SET sql_mode = 'ANSI'");
                c.setAutoCommit(false);
                getOrCreate(c, "SELECT \"id\" FROM \"sm_t\" WHERE \"email\" = ?",
                        "INSERT INTO \"sm_t\" (\"email\") VALUES (?)", "b@x");
                st.execute("SET sql_mode = DEFAULT"); // an expression the guard cannot read: it keeps what it had
            }
        });
        assertThat(found).isEqualTo(Map.of("check-then-insert", 1L));
    }
}
