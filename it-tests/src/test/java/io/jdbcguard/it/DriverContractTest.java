package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mysql.cj.jdbc.JdbcConnection;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jdbcguard.GuardDataSource;
import io.jdbcguard.GuardDriver;
import io.jdbcguard.jdbc.GuardConnection;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The "Connecting" contract of DESIGN.md, on the real server. */
class DriverContractTest {

    @Test
    void registeredThroughServiceLoaderAndAcceptsOnlyGuardUrls() throws SQLException {
        boolean found = false;
        for (Driver d : ServiceLoader.load(Driver.class)) {
            found |= d instanceof GuardDriver;
        }
        assertThat(found).isTrue();
        Driver d = DriverManager.getDriver("jdbc:guard:mysql://localhost/x");
        assertThat(d).isInstanceOf(GuardDriver.class);
        assertThat(d.acceptsURL("jdbc:mysql://localhost/x")).isFalse();
        assertThat(d.connect(TestDatabase.url(), new Properties())).isNull();
    }

    @Test
    void guardKeysNeverReachTheRealDriver() throws SQLException {
        Properties p = new Properties();
        p.setProperty("guard.log-values", "false");
        p.setProperty("connectTimeout", "5000");
        try (Connection c = DriverManager.getConnection(TestDatabase.guardUrl("guard.mode=warn", "guard.window-ms=10"), p)) {
            assertThat(c).isInstanceOf(GuardConnection.class);
            String realUrl = c.getMetaData().getURL();
            assertThat(realUrl).doesNotContain("guard.").startsWith("jdbc:mysql:");
            Properties seen = c.unwrap(JdbcConnection.class).getProperties();
            assertThat(seen.stringPropertyNames()).noneMatch(k -> k.startsWith("guard."));
            assertThat(seen.getProperty("connectTimeout")).isEqualTo("5000");
        }
    }

    @Test
    void aUrlNoDriverAcceptsNamesItMaskedAndListsDrivers() {
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:guard:nosuchdb://db:1/x?user=u&password=hunter2"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("jdbc:nosuchdb://db:1/x?user=u&password=***")
                .hasMessageContaining("com.mysql.cj.jdbc.Driver")
                .hasMessageContaining("on the classpath")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void badSettingsFailTheConnection() {
        assertThatThrownBy(() -> TestDatabase.guarded("guard.mode=loud"))
                .isInstanceOf(SQLException.class).hasMessageContaining("guard.mode").hasMessageContaining("loud");
        assertThatThrownBy(() -> TestDatabase.guarded("guard.nope=1"))
                .isInstanceOf(SQLException.class).hasMessageContaining("guard.nope").hasMessageContaining("valid keys");
    }

    @Test
    void modeOffIsPurePassThrough() throws SQLException {
        try (Connection c = TestDatabase.guarded("guard.mode=off")) {
            assertThat(c).isNotInstanceOf(GuardConnection.class);
            assertThat(c.isWrapperFor(JdbcConnection.class)).isTrue();
        }
    }

    @Test
    void propertyInfoListsTheGuardSettingsThenTheRealDriversOnes() throws SQLException {
        DriverPropertyInfo[] info = GuardDriver.instance().getPropertyInfo(TestDatabase.guardUrl(), new Properties());
        assertThat(info[0].name).isEqualTo("guard.mode");
        assertThat(info[0].choices).containsExactly("warn", "strict", "off");
        assertThat(info[0].value).isEqualTo("warn");
        assertThat(Arrays.stream(info).map(i -> i.name)).contains("guard.window-ms", "connectTimeout");
    }

    @Test
    void dataSourceWrapperBothWays() throws SQLException {
        GuardDataSource bean = new GuardDataSource();
        bean.setUrl(TestDatabase.guardUrl());
        try (Connection c = bean.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 41 + 1")) {
            assertThat(c).isInstanceOf(GuardConnection.class);
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(TestDatabase.url());
        try (HikariDataSource real = new HikariDataSource(hc)) {
            GuardDataSource wrapping = new GuardDataSource(real);
            try (Connection c = wrapping.getConnection()) {
                assertThat(c).isInstanceOf(GuardConnection.class);
                assertThat(wrapping.isWrapperFor(HikariDataSource.class)).isTrue();
                assertThat(c.createStatement().getConnection()).isSameAs(c);
            }
        }
    }

    @Test
    void throughARealHikariPool() throws SQLException {
        try (HikariDataSource pool = TestDatabase.guardedPool(2, true)) {
            for (int i = 0; i < 5; i++) {
                try (Connection c = pool.getConnection()) {
                    assertThat(c.isWrapperFor(GuardConnection.class)).isTrue();
                    assertThat(c.unwrap(JdbcConnection.class)).isInstanceOf(JdbcConnection.class);
                    c.setAutoCommit(false);
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + i)) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getInt(1)).isEqualTo(i);
                    }
                    c.commit();
                }
            }
        }
    }

    @Test
    void configurationMistakesFailTheConnectionNamingKeyValueAndSource() {
        // Issue 9, item 7: each of these gave a connection (some unguarded) or a null or an unchecked exception.
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(TestDatabase.guardUrl("guard.mode=strict",
                "guard.mode=off"))).isInstanceOf(SQLException.class).hasMessageContaining("guard.mode")
                .hasMessageContaining("strict").hasMessageContaining("off");
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(TestDatabase.guardUrl("guard.mode=bogus",
                "guard.mode=strict"))).isInstanceOf(SQLException.class).hasMessageContaining("bogus");
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(TestDatabase.guardUrl("guard%2Emode=strict")))
                .isInstanceOf(SQLException.class).hasMessageContaining("guard%2Emode");
        java.util.Properties p = new java.util.Properties();
        p.setProperty("guard.mode", "off");
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(TestDatabase.guardUrl("guard.mode=strict"), p))
                .isInstanceOf(SQLException.class).hasMessageContaining("guard.mode").hasMessageContaining("connection properties");
        for (String url : new String[] {TestDatabase.url(), ""}) {
            GuardDataSource bean = new GuardDataSource();
            bean.setUrl(url);
            assertThatThrownBy(bean::getConnection).as(url).isInstanceOf(SQLException.class)
                    .hasMessageContaining("jdbc:guard:");
        }
        String previous = System.getProperty("guard.mode");
        System.setProperty("guard.mode", "bogus");
        try {
            assertThatThrownBy(() -> java.sql.DriverManager.getConnection(TestDatabase.guardUrl("guard.mode=strict")))
                    .isInstanceOf(SQLException.class).hasMessageContaining("bogus").hasMessageContaining("JVM system property");
        } finally {
            if (previous == null) {
                System.clearProperty("guard.mode");
            } else {
                System.setProperty("guard.mode", previous);
            }
        }
    }
}
