package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Setting;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** The documented files users copy (config/, README) are true to the code. */
class ConfigFilesTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void examplePropertiesListEverySettingWithItsDefaultAndParse() throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(ROOT.resolve("config/jdbc-guard.properties"))) {
            p.load(in);
        }
        assertThat(p.stringPropertyNames()).hasSize(Setting.ALL.size());
        for (Setting<?> s : Setting.ALL) {
            assertThat(p.getProperty(s.key())).as(s.key()).isEqualTo(s.defaultText());
        }
        GuardConfig c = GuardConfig.resolve(Map.of(), new Properties(), Map.of(), p);
        assertThat(c.toString()).isEqualTo(GuardConfig.defaults().toString());
        String text = Files.readString(ROOT.resolve("config/jdbc-guard.properties"), StandardCharsets.UTF_8);
        for (io.jdbcguard.config.RuleId r : io.jdbcguard.config.RuleId.values()) {
            assertThat(text).as("the guard.disable comment names " + r.id()).containsPattern("[ ,]" + r.id() + "(,|\\n)");
        }
    }

    @Test
    void readmeSettingsTableMatchesTheDeclaration() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        for (Setting<?> s : Setting.ALL) {
            String row = "| `" + s.key() + "` | " + s.acceptedText() + " | "
                    + (s.defaultText().isEmpty() ? "none" : "`" + s.defaultText() + "`") + " | " + s.description() + " |";
            assertThat(readme).as("README row for " + s.key()).contains(row);
        }
    }

    @Test
    void jsonLogbackConfigWritesFindingKeyValues(@TempDir Path dir) throws Exception {
        String json = runLogback("logback-json.xml", dir, "jdbc-guard-findings.json");
        assertThat(json).contains("\"loggerName\":\"jdbcguard.check-then-insert\"")
                .contains("\"rule\":\"check-then-insert\"").contains("\"table\":\"users\"");
    }

    @Test
    void textLogbackConfigRoutesFindingsToTheirOwnFile(@TempDir Path dir) throws Exception {
        String text = runLogback("logback.xml", dir, "jdbc-guard-findings.log");
        assertThat(text).contains("jdbcguard.check-then-insert").contains("rule=\"check-then-insert\"")
                .contains("[check-then-insert] test finding");
    }

    private static String runLogback(String file, Path dir, String output) throws Exception {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        ctx.putProperty("GUARD_LOG_DIR", dir.toString());
        JoranConfigurator jc = new JoranConfigurator();
        jc.setContext(ctx);
        jc.doConfigure(ROOT.resolve("config").resolve(file).toFile());
        ctx.start();
        Logger log = ctx.getLogger("jdbcguard.check-then-insert");
        log.atWarn().addKeyValue("rule", "check-then-insert").addKeyValue("table", "users")
                .log("[check-then-insert] test finding");
        ctx.getLogger("unrelated").info("not a finding");
        assertThat(ctx.getStatusManager().getCopyOfStatusList())
                .noneMatch(st -> st.getLevel() >= ch.qos.logback.core.status.Status.WARN);
        ctx.stop();
        String written = Files.readString(dir.resolve(output), StandardCharsets.UTF_8);
        assertThat(written).doesNotContain("not a finding");
        return written;
    }
}
