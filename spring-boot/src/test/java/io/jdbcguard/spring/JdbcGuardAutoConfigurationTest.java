package io.jdbcguard.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import io.jdbcguard.GuardDataSource;
import io.jdbcguard.JdbcGuard;
import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.it.TestDatabase;
import io.jdbcguard.jdbc.GuardConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

/** Issue 12: the starter, through Spring Boot's ApplicationContextRunner, on the embedded server. */
class JdbcGuardAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JdbcGuardAutoConfiguration.class))
            .withBean("dataSource", DataSource.class, JdbcGuardAutoConfigurationTest::pool);

    static HikariDataSource pool() {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(TestDatabase.url());
        ds.setMaximumPoolSize(2);
        return ds;
    }

    @BeforeEach
    void table() {
        TestDatabase.exec("DROP TABLE IF EXISTS sb_u",
                "CREATE TABLE sb_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100))");
        Guard.global().forgetCurrentThread();
    }

    private static void getOrCreate(DataSource ds, String email) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id FROM sb_u WHERE email = '" + email + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            st.executeUpdate("INSERT INTO sb_u (email) VALUES ('" + email + "')");
        }
    }

    @Test
    void runsOnTheSpringBootItExpects() {
        // The same tests run in spring-boot-3/ against Spring Boot 3.5.
        assertThat(org.springframework.boot.SpringBootVersion.getVersion())
                .startsWith(System.getProperty("jdbcguard.expectBoot", "4.0"));
    }

    @Test
    void everyDataSourceBeanIsGuardedAndStillUnwrapsToThePool() {
        runner.run(ctx -> {
            DataSource ds = ctx.getBean(DataSource.class);
            assertThat(ds).isInstanceOf(GuardDataSource.class);
            assertThat(ds.isWrapperFor(HikariDataSource.class)).isTrue();
            assertThat(ds.unwrap(HikariDataSource.class)).isInstanceOf(HikariDataSource.class);
            try (Connection c = ds.getConnection()) {
                assertThat(c).isInstanceOf(GuardConnection.class);
            }
        });
    }

    @Test
    void neverTwiceAndPropertiesBindAndTheFindingIsCountedInMeters() {
        List<Finding> seen = new CopyOnWriteArrayList<>();
        runner.withBean(SimpleMeterRegistry.class)
                .withBean("routing", DataSource.class, () -> {
                    // A routing data source whose target is itself a (guarded) bean: its connections are the guard's once.
                    AbstractRoutingDataSource r = new AbstractRoutingDataSource() {
                        @Override
                        protected Object determineCurrentLookupKey() {
                            return "only";
                        }
                    };
                    r.setTargetDataSources(Map.of("only", new GuardDataSource(pool())));
                    r.afterPropertiesSet();
                    return r;
                })
                .withPropertyValues("jdbc-guard.app-packages=io.jdbcguard.spring")
                .run(ctx -> {
                    DataSource routing = ctx.getBean("routing", DataSource.class);
                    // Its target already is a GuardDataSource: left as it is, its connections are the guard's.
                    try (Connection c = routing.getConnection()) {
                        assertThat(c).isInstanceOf(GuardConnection.class);
                    }
                    try (JdbcGuard.Registration r = Guard.global().addFindingListener(seen::add)) {
                        getOrCreate(routing, "boot@x");
                        assertThat(Guard.global().awaitFindings(10_000)).isTrue();
                    }
                    assertThat(seen).as("one guard on the path, one occurrence").hasSize(1);
                    assertThat(seen.get(0).checkSite().getClassName()).isEqualTo(JdbcGuardAutoConfigurationTest.class.getName());
                    MeterRegistry meters = ctx.getBean(MeterRegistry.class);
                    assertThat(meters.get("jdbcguard.findings").tag("rule", "check-then-insert").tag("level", "ERROR")
                            .counter().count()).isEqualTo(1.0);
                    assertThat(meters.get("jdbcguard.statements").functionCounter().count()).isPositive();
                    assertThat(ctx.getBean(JdbcGuardEndpoint.class).findings()).anySatisfy(m ->
                            assertThat(m).containsEntry("rule", "check-then-insert").containsEntry("table", "sb_u"));
                });
    }

    @Test
    void aPoolOverAGuardUrlIsNotGuardedAgain() {
        List<Finding> seen = new CopyOnWriteArrayList<>();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JdbcGuardAutoConfiguration.class))
                .withBean("dataSource", DataSource.class, () -> {
                    HikariDataSource ds = new HikariDataSource();
                    ds.setJdbcUrl(TestDatabase.guardUrl()); // the URL way and the starter together
                    ds.setMaximumPoolSize(2);
                    return ds;
                })
                .run(ctx -> {
                    DataSource ds = ctx.getBean(DataSource.class);
                    assertThat(ds).isInstanceOf(GuardDataSource.class);
                    try (JdbcGuard.Registration r = Guard.global().addFindingListener(seen::add)) {
                        getOrCreate(ds, "twice@x");
                        assertThat(Guard.global().awaitFindings(10_000)).isTrue();
                    }
                    assertThat(seen).as("one guard on the path, one occurrence").hasSize(1);
                });
    }

    @Test
    void aMariaDbConnectorJPoolIsGuardedToo() {
        List<Finding> seen = new CopyOnWriteArrayList<>();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JdbcGuardAutoConfiguration.class))
                .withBean("dataSource", DataSource.class, () -> {
                    String u = TestDatabase.url();
                    HikariDataSource ds = new HikariDataSource();
                    ds.setJdbcUrl("jdbc:mariadb:" + u.substring("jdbc:mysql:".length(), u.indexOf('?')) + "?user=root");
                    ds.setMaximumPoolSize(2);
                    return ds;
                })
                .run(ctx -> {
                    DataSource ds = ctx.getBean(DataSource.class);
                    try (Connection c = ds.getConnection()) {
                        assertThat(c.isWrapperFor(org.mariadb.jdbc.Connection.class)).isTrue();
                    }
                    try (JdbcGuard.Registration r = Guard.global().addFindingListener(seen::add)) {
                        getOrCreate(ds, "maria@x");
                        assertThat(Guard.global().awaitFindings(10_000)).isTrue();
                    }
                    assertThat(seen).singleElement().satisfies(f -> assertThat(f.table()).isEqualTo("sb_u"));
                });
    }

    /** Issue 20, item 3: the starter says what it guards, by the pool's (masked) URL, as the other ways in do. */
    @Test
    void theStarterSaysWhatItGuardsByThePoolsUrl() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("jdbcguard");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            runner.run(ctx -> {
                try (Connection c = ctx.getBean(DataSource.class).getConnection()) {
                    assertThat(c).isInstanceOf(GuardConnection.class);
                }
            });
        } finally {
            logger.detachAppender(lines);
        }
        String url = TestDatabase.url();
        assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains(" guarding " + url.substring(0, url.indexOf('?')))
                        .contains("guard.mode=warn").doesNotContain("datasource:"));
    }

    /** Issue 20, item 4: the meters exist from start-up, at 0, so that dashboards have a series before any finding. */
    @Test
    void theMetersArePresentFromStartUpAtZero() {
        runner.withBean(SimpleMeterRegistry.class).run(ctx -> {
            MeterRegistry meters = ctx.getBean(MeterRegistry.class);
            assertThat(meters.get("jdbcguard.findings").tag("rule", "lost-update").tag("level", "WARN").counter().count())
                    .isZero();
            assertThat(meters.get("jdbcguard.findings").tag("rule", "check-then-insert").tag("level", "ERROR").counter())
                    .isNotNull();
            assertThat(meters.get("jdbcguard.statements").functionCounter()).isNotNull();
        });
    }

    @Test
    void strictModeFromProperties() {
        runner.withPropertyValues("jdbc-guard.mode=strict").run(ctx -> {
            DataSource ds = ctx.getBean(DataSource.class);
            assertThatThrownBy(() -> getOrCreate(ds, "strict@x")).isInstanceOf(UnsafePatternException.class);
        });
    }

    @Test
    void disabledByAProperty() {
        runner.withPropertyValues("jdbc-guard.enabled=false").run(ctx ->
                assertThat(ctx.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class));
    }

    @Test
    void withoutMicrometerOrActuatorOnTheClassPath() {
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class,
                        org.springframework.boot.actuate.endpoint.annotation.Endpoint.class))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(DataSource.class)).isInstanceOf(GuardDataSource.class);
                    assertThat(ctx.getBeansOfType(JdbcGuardEndpoint.class)).isEmpty();
                });
    }
}
