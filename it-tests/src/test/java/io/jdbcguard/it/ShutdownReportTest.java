package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13: an application with guard.report gets the report files and a summary line when its JVM ends. */
class ShutdownReportTest {

    /** The application: one get-or-create through the guard, then it exits. */
    public static final class App {
        public static void main(String[] args) throws Exception {
            try (Connection c = DriverManager.getConnection(args[0]); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT id FROM sr_u WHERE email = 'app@x'")) {
                    if (!rs.next()) {
                        st.executeUpdate("INSERT INTO sr_u (email) VALUES ('app@x')");
                    }
                }
            }
        }
    }

    @Test
    void theJvmsEndWritesTheReportAndLogsASummary(@TempDir Path dir) throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS sr_u",
                "CREATE TABLE sr_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100))");
        String url = TestDatabase.guardUrl("guard.report=" + dir.toString().replace(File.separatorChar, '/'));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), App.class.getName(), url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("[check-then-insert] sr_u(email)")
                .containsPattern("jdbc-guard summary: \\d+ statements seen, findings by rule \\{check-then-insert=1\\}")
                .contains("jdbc-guard report written to");
        String json = Files.readString(dir.resolve("jdbc-guard-report.json"));
        assertThat(json).contains("\"table\": \"sr_u\"").contains("\"firstSeenBy\": \"thread main\"")
                .contains("\"count\": 1");
        assertThat(Files.readString(dir.resolve("jdbc-guard-report.html"))).contains("sr_u");
        assertThat(List.of(dir.toFile().list())).containsExactlyInAnyOrder("jdbc-guard-report.json",
                "jdbc-guard-report.html");
    }
}
