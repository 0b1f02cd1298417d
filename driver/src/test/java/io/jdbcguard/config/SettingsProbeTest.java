package io.jdbcguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jdbcguard.Guard;
import io.jdbcguard.stub.StubDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 13 (N5): settings the probe found accepted silently. Each fails the connection with an
 * SQLException naming the key and the value; what is not a guard setting reaches the real driver untouched.
 */
class SettingsProbeTest {

    private final Guard guard = new Guard();

    @AfterEach
    void close() {
        guard.close();
    }

    private Connection connect(String url, Properties info) throws SQLException {
        StubDriver.load();
        return guard.connect(url, info);
    }

    @Test
    void aGuardKeyWithWhitespaceAroundItInTheUrlFails() {
        // Decoded, '%20guard.mode' is ' guard.mode': it went to the real driver, and strict mode was silently off.
        assertThatThrownBy(() -> connect("jdbc:guard:stub:x?%20guard.mode=strict", new Properties()))
                .isInstanceOf(SQLException.class).hasMessageContaining("guard.mode").hasMessageContaining("strict");
    }

    @Test
    void aGuardPropertyKeyWithALeadingSpaceFails() {
        Properties p = new Properties();
        p.setProperty(" guard.mode", "strict");
        assertThatThrownBy(() -> connect("jdbc:guard:stub:x", p))
                .isInstanceOf(SQLException.class).hasMessageContaining("' guard.mode'").hasMessageContaining("whitespace");
    }

    @Test
    void aGuardPropertyWhoseValueIsNotAStringFails() {
        Properties p = new Properties();
        p.put("guard.log-values", Boolean.TRUE);
        assertThatThrownBy(() -> connect("jdbc:guard:stub:x", p))
                .isInstanceOf(SQLException.class).hasMessageContaining("guard.log-values")
                .hasMessageContaining("java.lang.Boolean");
    }

    @Test
    void aDriverPropertyWhoseValueIsNotAStringReachesTheDriverUntouched() throws SQLException {
        Properties p = new Properties();
        Object factory = new Object();
        p.put("socketFactoryInstance", factory);
        p.setProperty("user", "u");
        p.setProperty("guard.mode", "warn");
        try (Connection c = connect("jdbc:guard:stub:x", p)) {
            assertThat(StubDriver.lastInfo.get("socketFactoryInstance")).isSameAs(factory);
            assertThat(StubDriver.lastInfo.getProperty("user")).isEqualTo("u");
            assertThat(StubDriver.lastInfo).doesNotContainKey("guard.mode");
        }
    }

    @Test
    void windowMsTakesPlainAsciiDigitsOnly() {
        for (String bad : new String[] {"+5", "\u0665", "5\u0660", "１０"}) {
            assertThatThrownBy(() -> GuardConfig.resolve(Map.of("guard.window-ms", bad), new Properties(), Map.of(),
                    new Properties())).as(bad).isInstanceOf(SQLException.class).hasMessageContaining("guard.window-ms")
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void theSameKeyTwiceWithDifferentValuesInThePropertiesFileFails() throws Exception {
        assertThat((Throwable) fileFails("guard.mode=warn\nguard.window-ms=10\nguard.mode=strict\n")).isNotNull()
                .hasMessageContaining("guard.mode").hasMessageContaining("warn").hasMessageContaining("strict")
                .hasMessageContaining(GuardConfig.FILE_NAME);
        assertThat((Throwable) fileFails("guard.mode=warn\nguard.mode=warn\n")).as("the same value twice is no conflict").isNull();
    }

    private static SQLException fileFails(String content) throws Exception {
        Path dir = Files.createTempDirectory("jg-twice");
        Files.writeString(dir.resolve(GuardConfig.FILE_NAME), content);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (java.net.URLClassLoader cl = new java.net.URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, null)) {
            Thread.currentThread().setContextClassLoader(cl);
            GuardConfig.classpathFile();
            return null;
        } catch (SQLException e) {
            return e;
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }
}
