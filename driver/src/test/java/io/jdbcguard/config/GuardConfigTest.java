package io.jdbcguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GuardConfigTest {

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsWhenNothingIsSet() throws SQLException {
        GuardConfig c = GuardConfig.resolve(Map.of(), new Properties(), Map.of(), new Properties());
        assertThat(c.mode()).isEqualTo(Mode.WARN);
        assertThat(c.recovery()).isEqualTo(Recovery.FRESH_READ);
        assertThat(c.logValues()).isFalse();
        assertThat(c.appPackages()).isEmpty();
        assertThat(c.windowNanos()).isEqualTo(2_000_000_000L);
        assertThat(c.get(Setting.DISABLE)).isEmpty();
    }

    @Test
    void precedenceIsUrlThenSystemThenEnvironmentThenFile() throws SQLException {
        Properties file = props("guard.mode", "off", "guard.window-ms", "1", "guard.log-values", "true",
                "guard.recovery", "off");
        Map<String, String> env = Map.of("GUARD_MODE", "strict", "GUARD_WINDOW_MS", "2", "GUARD_LOG_VALUES", "false");
        Properties system = props("guard.mode", "warn", "guard.window-ms", "3");
        Map<String, String> url = Map.of("guard.mode", "strict");

        GuardConfig c = GuardConfig.resolve(url, system, env, file);

        assertThat(c.mode()).isEqualTo(Mode.STRICT);          // URL beats system property
        assertThat(c.get(Setting.WINDOW_MS)).isEqualTo(3);     // system property beats environment
        assertThat(c.logValues()).isFalse();                    // environment beats file
        assertThat(c.recovery()).isEqualTo(Recovery.OFF);      // file beats default
    }

    @Test
    void unknownKeyFromAnySourceButTheEnvironmentFailsNamingValidKeys() {
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of("guard.mood", "warn"), new Properties(), Map.of(),
                new Properties()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("guard.mood")
                .hasMessageContaining("guard.mode, guard.disable, guard.recovery, guard.log-values, guard.app-packages, guard.window-ms");
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of(), props("guard.windowms", "5"), Map.of(), new Properties()))
                .hasMessageContaining("guard.windowms").hasMessageContaining("system property");
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of(), new Properties(), Map.of(), props("guard.x", "1")))
                .hasMessageContaining("guard.x").hasMessageContaining("jdbc-guard.properties");
    }

    @Test
    void unknownGuardEnvironmentVariablesAreIgnored() throws SQLException {
        GuardConfig c = GuardConfig.resolve(Map.of(), new Properties(), Map.of("GUARD_DOG", "rex"), new Properties());
        assertThat(c.mode()).isEqualTo(Mode.WARN);
    }

    @Test
    void badValuesNameKeyValueAndWhatIsAccepted() {
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of("guard.mode", "loud"), new Properties(), Map.of(),
                new Properties()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("'loud'").hasMessageContaining("guard.mode")
                .hasMessageContaining("warn, strict, off");
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of("guard.window-ms", "-1"), new Properties(), Map.of(),
                new Properties()))
                .hasMessageContaining("guard.window-ms").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of(), new Properties(), Map.of("GUARD_LOG_VALUES", "yes"),
                new Properties()))
                .hasMessageContaining("'yes'").hasMessageContaining("GUARD_LOG_VALUES").hasMessageContaining("true, false");
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of("guard.disable", "check-then-insert,lost-updates"),
                new Properties(), Map.of(), new Properties()))
                .hasMessageContaining("lost-updates").hasMessageContaining("lock-without-transaction");
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of("guard.app-packages", "com.acme;x"),
                new Properties(), Map.of(), new Properties()))
                .hasMessageContaining("com.acme;x");
    }

    @Test
    void listValuesParse() throws SQLException {
        GuardConfig c = GuardConfig.resolve(Map.of("guard.disable", " lost-update , RISKY-ISOLATION",
                "guard.app-packages", "com.acme, org.shop."), new Properties(), Map.of(), new Properties());
        assertThat(c.get(Setting.DISABLE)).isEqualTo(Set.of(RuleId.LOST_UPDATE, RuleId.RISKY_ISOLATION));
        assertThat(c.enabled(RuleId.LOST_UPDATE)).isFalse();
        assertThat(c.enabled(RuleId.CHECK_THEN_INSERT)).isTrue();
        assertThat(c.appPackages()).containsExactly("com.acme", "org.shop.");
    }

    @Test
    void everySettingHasEnvNameDocAndDefaultThatParses() {
        for (Setting<?> s : Setting.ALL) {
            assertThat(s.key()).startsWith("guard.");
            assertThat(s.envName()).startsWith("GUARD_").doesNotContain(".").doesNotContain("-");
            assertThat(s.description()).isNotBlank();
            assertThat(s.parse(s.defaultText())).isEqualTo(s.defaultValue());
        }
    }

    @Test
    void aBadValueFromALowerSourceFailsEvenWhenAHigherSourceSetsTheKey() {
        // Issue 9, item 7: -Dguard.mode=bogus was ignored because the URL set guard.mode.
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of("guard.mode", "strict"), props("guard.mode", "bogus"),
                Map.of(), new Properties()))
                .isInstanceOf(SQLException.class).hasMessageContaining("guard.mode").hasMessageContaining("bogus")
                .hasMessageContaining("JVM system property");
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of("guard.mode", "strict"), new Properties(),
                Map.of("GUARD_MODE", "nope"), new Properties()))
                .isInstanceOf(SQLException.class).hasMessageContaining("GUARD_MODE").hasMessageContaining("nope");
        assertThatThrownBy(() -> GuardConfig.resolve(Map.of("guard.mode", "strict"), new Properties(), Map.of(),
                props("guard.window-ms", "-3")))
                .isInstanceOf(SQLException.class).hasMessageContaining("guard.window-ms").hasMessageContaining("jdbc-guard.properties");
    }

    @Test
    void aMalformedPropertiesFileIsAnSqlExceptionNamingTheFile() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jg-file");
        java.nio.file.Files.writeString(dir.resolve(GuardConfig.FILE_NAME), "guard.mode=\\u00\n");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (java.net.URLClassLoader cl = new java.net.URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, null)) {
            Thread.currentThread().setContextClassLoader(cl);
            assertThatThrownBy(GuardConfig::classpathFile).isInstanceOf(SQLException.class)
                    .hasMessageContaining(GuardConfig.FILE_NAME);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }
}
