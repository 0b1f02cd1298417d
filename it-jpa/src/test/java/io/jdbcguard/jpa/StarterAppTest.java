package io.jdbcguard.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.jdbcguard.Guard;
import io.jdbcguard.GuardDataSource;
import io.jdbcguard.it.TestDatabase;
import io.jdbcguard.jpa.app.ClinicApp;
import io.jdbcguard.jpa.app.ClinicService;
import io.jdbcguard.spring.JdbcGuardEndpoint;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 12: the application with only the starter added: a plain {@code jdbc:mysql:} URL, Flyway
 * migrations, JdbcTemplate and Spring Data JPA, Micrometer and the Actuator. A check-then-insert through
 * JdbcTemplate and one through JPA are reported, counted in the meters and listed by the endpoint.
 */
class StarterAppTest {

    static ConfigurableApplicationContext context;

    @BeforeAll
    static void start() {
        TestDatabase.exec("DROP DATABASE IF EXISTS starter_app", "CREATE DATABASE starter_app");
        String url = TestDatabase.url();
        int q = url.indexOf('?');
        url = url.substring(0, url.lastIndexOf('/', q) + 1) + "starter_app" + url.substring(q);
        context = new SpringApplicationBuilder(ClinicApp.class).properties(
                "spring.main.web-application-type=none",
                "spring.main.banner-mode=off",
                "spring.datasource.url=" + url,
                "spring.jpa.hibernate.ddl-auto=create",
                "spring.jpa.open-in-view=false",
                "spring.jpa.database-platform=org.hibernate.dialect.MariaDBDialect",
                "management.endpoints.access.default=read-only").run();
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void onlyTheDependencyAddedAndTheRacesAreReportedCountedAndListed() throws Exception {
        DataSource ds = context.getBean(DataSource.class);
        assertThat(ds).isInstanceOf(GuardDataSource.class);
        assertThat(ds.unwrap(HikariDataSource.class)).isInstanceOf(HikariDataSource.class);
        assertThat(context.getBean(org.flywaydb.core.Flyway.class).info().applied()).hasSize(1);

        JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
        Guard.global().forgetCurrentThread();
        if (jdbc.queryForList("select id from members where email = ?", Long.class, "starter@x").isEmpty()) {
            jdbc.update("insert into members (email) values (?)", "starter@x");
        }
        context.getBean(ClinicService.class).ownerFor("608-555-7777");
        assertThat(Guard.global().awaitFindings(10_000)).isTrue();

        MeterRegistry meters = context.getBean(MeterRegistry.class);
        assertThat(meters.get("jdbcguard.findings").tag("rule", "check-then-insert").tag("level", "ERROR")
                .counter().count()).isGreaterThanOrEqualTo(2.0);
        assertThat(meters.get("jdbcguard.statements").functionCounter().count()).isPositive();
        List<Map<String, Object>> listed = context.getBean(JdbcGuardEndpoint.class).findings();
        assertThat(listed).extracting(m -> m.get("table")).contains("members", "owners");
        assertThat(listed).filteredOn(m -> "members".equals(m.get("table"))).singleElement().satisfies(m ->
                assertThat((String) m.get("checkSite")).startsWith(StarterAppTest.class.getName() + "."));
    }
}
