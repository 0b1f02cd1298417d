package io.jdbcguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.agent.it.WaysInProgram;
import io.jdbcguard.it.TestDatabase;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 1: every combination of the ways in guards every connection exactly once, a pool's first
 * connection too. With the starter and the agent together, HikariCP's first connection had been guarded by
 * neither (the agent skipped any connection opened with a guard class on the stack; the starter stepped
 * aside because the agent was active), and no finding was made.
 */
class WaysInIT {

    static final String[] COMBINATIONS = {"url", "url+gds", "gds", "starter", "url+starter"};

    private static String run(boolean agent) throws Exception {
        for (String t : new String[] {"wi_url", "wi_url_gds", "wi_gds", "wi_starter", "wi_url_starter"}) {
            TestDatabase.exec("DROP TABLE IF EXISTS " + t,
                    "CREATE TABLE " + t + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100))");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (agent) {
            cmd.add("-javaagent:" + AgentIT.agentJar().toAbsolutePath() + "=app-packages=io.jdbcguard.agent.it");
        }
        String cp = String.join(File.pathSeparator, java.util.Arrays.stream(System.getProperty("java.class.path")
                .split(File.pathSeparator)).filter(e -> !e.contains("jdbc-guard-agent")
                && !e.endsWith("agent" + File.separator + "target" + File.separator + "classes")).toList());
        cmd.addAll(List.of("-Dguard.app-packages=io.jdbcguard.agent.it", "-cp", cp, WaysInProgram.class.getName(),
                TestDatabase.url()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static void exactlyOnce(String out, String extra) {
        for (String c : COMBINATIONS) {
            String name = c + extra;
            assertThat(out).as(name + ": the first connection and a later one, each guarded once\n" + out)
                    .contains("result: " + c + " layers 1 1")
                    .contains("result: " + c + " seen by the application's guard true");
            String table = "wi_" + c.replace('+', '_');
            assertThat(out.lines().filter(l -> l.contains("[check-then-insert] " + table + "(email)")))
                    .as(name + ": one finding line, from one guard\n" + out).hasSize(1);
        }
    }

    @Test
    void withoutTheAgentEachCombinationGuardsEveryConnectionOnce() throws Exception {
        exactlyOnce(run(false), "");
    }

    @Test
    void withTheAgentEachCombinationStillGuardsEveryConnectionOnce() throws Exception {
        String out = run(true);
        exactlyOnce(out, " + agent");
        assertThat(out).doesNotContain("unguarded");
    }
}
