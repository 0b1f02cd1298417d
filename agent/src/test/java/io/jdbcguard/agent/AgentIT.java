package io.jdbcguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.agent.it.Program;
import io.jdbcguard.it.TestDatabase;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: an unmodified program in a JVM of its own, with and without {@code -javaagent}: with it, its
 * log holds the findings with the program's call sites; its results are the same either way; without
 * it, nothing of the guard appears. The guard's jar is not on the program's class path: only the agent's.
 */
class AgentIT {

    /** Issue 20, item 5: only the usable jar may look like the agent (the unshaded one aborted the JVM). */
    @Test
    void theBuildLeavesOneAgentJar() throws Exception {
        try (var files = Files.list(Path.of("target"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")
                    && n.contains("jdbc-guard-agent") && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar")))
                    .singleElement().asString().matches("jdbc-guard-agent-\\d.*\\.jar");
        }
    }

    static Path agentJar() throws Exception {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("jdbc-guard-agent-\\d.*\\.jar")
                    && !p.getFileName().toString().contains("original")).findFirst().orElseThrow();
        }
    }

    private static String run(boolean withAgent, String url) throws Exception {
        return run(withAgent, url, false);
    }

    static String mariadbUrl() {
        String u = TestDatabase.url();
        return "jdbc:mariadb:" + u.substring("jdbc:mysql:".length(), u.indexOf('?')) + "?user=root";
    }

    /** @param guardJar whether the guard's own jar is on the program's class path too */
    private static String run(boolean withAgent, String url, boolean guardJar) throws Exception {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> (guardJar || !e.contains("jdbc-guard-0.")) && !e.endsWith("agent" + File.separator
                        + "target" + File.separator + "classes") && !e.contains("jdbc-guard-agent"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (withAgent) {
            cmd.add("-javaagent:" + agentJar().toAbsolutePath() + "=app-packages=io.jdbcguard.agent.it");
        }
        if (guardJar) {
            cmd.add("-Dprogram.guardDataSource=true");
        }
        cmd.addAll(List.of("-cp", cp, Program.class.getName(), url, TestDatabase.url(), mariadbUrl()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static List<String> results(String out) {
        return out.lines().filter(l -> l.startsWith("result: ")).collect(Collectors.toList());
    }

    private static void tables() {
        for (String t : new String[] {"ag_pool", "ag_vendor", "ag_maria", "ag_maria_ds", "ag_gds", "ag_dm"}) {
            TestDatabase.exec("DROP TABLE IF EXISTS " + t,
                    "CREATE TABLE " + t + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100))");
        }
        // Issue 21: upper-case names, as a large application's schema has them (case-sensitive on this server).
        TestDatabase.exec("DROP TABLE IF EXISTS AG_AGROAL", "DROP TABLE IF EXISTS AG_DBCP",
                "CREATE TABLE AG_AGROAL (ID BIGINT AUTO_INCREMENT PRIMARY KEY, EMAIL VARCHAR(100))",
                "CREATE TABLE AG_DBCP (ID BIGINT AUTO_INCREMENT PRIMARY KEY, EMAIL VARCHAR(100),"
                        + " UNIQUE KEY UX_AG_DBCP_EMAIL (EMAIL))");
    }

    @Test
    void theAgentGuardsAnUnmodifiedProgramAndChangesNoResult() throws Exception {
        String url = TestDatabase.url();
        tables();
        String without = run(false, url);
        tables();
        String with = run(true, url);
        assertThat(results(with)).as(with).isEqualTo(results(without)).hasSize(11)
                .contains("result: unwraps to Connector/J true");
        // Issue 21, item 1: MariaDB Connector/J reached through DriverManager, Agroal and DBCP.
        assertThat(with).contains("[check-then-insert] ag_dm(email)");
        // Upper-case tables through Agroal and DBCP: no unique key, silent duplicates (ERROR); a unique key, found
        // on the server's own spelling of the name, duplicate-key errors (WARN).
        assertThat(with.lines().filter(l -> l.contains("[check-then-insert] ag_agroal(email)")))
                .singleElement().asString().contains(" ERROR ");
        assertThat(with.lines().filter(l -> l.contains("[check-then-insert] ag_dbcp(email)")))
                .singleElement().asString().contains(" WARN ");
        // It says that it runs, and which drivers it instrumented.
        assertThat(with).contains("jdbc-guard agent ").contains(": guarding every JDBC connection of this JVM")
                .contains("jdbc-guard agent: guarding the connections of org.mariadb.jdbc.Driver")
                .contains("jdbc-guard agent: guarding the connections of com.mysql.cj.jdbc.Driver")
                .doesNotContain("could not instrument");
        assertThat(without).doesNotContain("jdbc-guard").doesNotContain("[check-then-insert]");
        assertThat(with).contains("[check-then-insert] ag_pool(email): a SELECT at io.jdbcguard.agent.it.Program.getOrCreate(")
                .contains("[check-then-insert] ag_vendor(email)")
                .contains("[check-then-insert] ag_maria(email)").contains("[check-then-insert] ag_maria_ds(email)")
                .contains("jdbc-guard").doesNotContain("unguarded");
    }

    @Test
    void aConnectionIsNeverGuardedTwice() throws Exception {
        String url = TestDatabase.guardUrl(); // jdbc:guard: with the guard's jar on the class path, and the agent
        tables();
        String out = run(true, url, true);
        assertThat(results(out)).as(out).hasSize(12);
        assertThat(out.lines().filter(l -> l.contains("[check-then-insert] ag_pool(email)"))).as(out).hasSize(1);
        // The application's own GuardDataSource over a pool, under the agent: guarded once.
        assertThat(out.lines().filter(l -> l.contains("[check-then-insert] ag_gds(email)"))).as(out).hasSize(1);
    }

    /** Issue 22: pgJDBC's Driver (through a pool and DriverManager) and its PGSimpleDataSource, under the agent. */
    @Test
    void theAgentGuardsPostgresThroughEveryWayInAndChangesNoResult() throws Exception {
        String without = runPg(false);
        String with = runPg(true);
        assertThat(results(with)).as(with).isEqualTo(results(without)).hasSize(6)
                .contains("result: unwraps to pgJDBC true", "result: pg rows 1 1 1");
        for (String t : new String[] {"ag_pg_pool", "ag_pg_ds", "ag_pg_dm"}) {
            assertThat(with.lines().filter(l -> l.contains("[check-then-insert] " + t + "(email)")))
                    .as(t + " guarded exactly once\n" + with).singleElement().asString()
                    .contains(" ERROR ", "a SELECT at io.jdbcguard.agent.it.Program.getOrCreate(");
        }
        assertThat(with).contains("jdbc-guard agent: guarding the connections of org.postgresql.Driver")
                .doesNotContain("could not instrument").doesNotContain("unguarded");
        assertThat(without).doesNotContain("jdbc-guard").doesNotContain("[check-then-insert]");
    }

    private static String runPg(boolean withAgent) throws Exception {
        io.jdbcguard.it.PostgresTables.recreate("CREATE TABLE %s (id BIGSERIAL PRIMARY KEY, email VARCHAR(100))",
                "ag_pg_pool", "ag_pg_ds", "ag_pg_dm");
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("jdbc-guard-0.") && !e.endsWith("agent" + File.separator + "target"
                        + File.separator + "classes") && !e.contains("jdbc-guard-agent"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (withAgent) {
            cmd.add("-javaagent:" + agentJar().toAbsolutePath() + "=app-packages=io.jdbcguard.agent.it");
        }
        cmd.addAll(List.of("-cp", cp, io.jdbcguard.agent.it.PgProgram.class.getName(), io.jdbcguard.it.PgDatabase.url()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
