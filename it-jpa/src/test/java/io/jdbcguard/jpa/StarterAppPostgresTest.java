package io.jdbcguard.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import io.jdbcguard.GuardDataSource;
import io.jdbcguard.JdbcGuard;
import io.jdbcguard.it.PgDatabase;
import io.jdbcguard.it.PostgresTables;
import io.jdbcguard.jpa.app.ClinicApp;
import io.jdbcguard.jpa.app.ClinicService;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 22: the application on PostgreSQL with only the starter added (a plain {@code jdbc:postgresql:} URL):
 * its data source is guarded, and a JPA get-or-create is reported in PostgreSQL's terms. Straight (without the
 * starter) the same call inserts the same row and nothing is said.
 */
class StarterAppPostgresTest {

    static ConfigurableApplicationContext context;

    @BeforeAll
    static void start() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.zonky"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        PostgresTables.exec("DROP DATABASE IF EXISTS starter_app_pg", "CREATE DATABASE starter_app_pg");
        String url = PgDatabase.url();
        int q = url.indexOf('?');
        url = url.substring(0, url.lastIndexOf('/', q) + 1) + "starter_app_pg" + url.substring(q);
        context = new SpringApplicationBuilder(ClinicApp.class).properties(
                "spring.main.web-application-type=none",
                "spring.main.banner-mode=off",
                "spring.datasource.url=" + url,
                "spring.jpa.hibernate.ddl-auto=create",
                "spring.jpa.open-in-view=false",
                "spring.flyway.enabled=false",
                "spring.jpa.database-platform=org.hibernate.dialect.PostgreSQLDialect").run();
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void onlyTheDependencyAddedAndTheRaceIsReportedInPostgresTerms() throws Exception {
        DataSource ds = context.getBean(DataSource.class);
        assertThat(ds).isInstanceOf(GuardDataSource.class);
        assertThat(ds.unwrap(HikariDataSource.class)).isInstanceOf(HikariDataSource.class);
        List<Finding> findings = new CopyOnWriteArrayList<>();
        Guard.global().forgetCurrentThread();
        try (JdbcGuard.Registration r = JdbcGuard.addFindingListener(findings::add)) {
            context.getBean(ClinicService.class).ownerFor("608-555-8888");
            assertThat(Guard.global().awaitFindings(10_000)).isTrue();
        }
        assertThat(findings).filteredOn(f -> f.rule().equals("check-then-insert")).singleElement().satisfies(f -> {
            assertThat(f.level()).isEqualTo(Finding.Level.ERROR);
            assertThat(f.table()).isEqualTo("owners");
            assertThat(f.checkSite().getClassName()).isEqualTo(ClinicService.class.getName());
            assertThat(f.message()).contains("SQLState 23505", "locking read that finds no row locks nothing")
                    .doesNotContain("1062");
        });
    }
}
