package io.jdbcguard.jpa;

import io.jdbcguard.it.TestDatabase;
import io.jdbcguard.jpa.app.ClinicApp;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The clinic application started on a fresh database of its own on the embedded server, through the guard. */
final class ClinicContext {

    private ClinicContext() {
    }

    static ConfigurableApplicationContext start(String database) {
        TestDatabase.exec("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        String url = TestDatabase.guardUrl();
        int q = url.indexOf('?');
        url = url.substring(0, url.lastIndexOf('/', q) + 1) + database + url.substring(q);
        return new SpringApplicationBuilder(ClinicApp.class).properties(
                "spring.main.web-application-type=none",
                "spring.main.banner-mode=off",
                "spring.datasource.url=" + url,
                "spring.datasource.driver-class-name=io.jdbcguard.GuardDriver",
                "spring.datasource.hikari.maximum-pool-size=12",
                "spring.jpa.hibernate.ddl-auto=create",
                "spring.jpa.open-in-view=false",
                // Connector/J 9 reads INFORMATION_SCHEMA.KEYWORDS.RESERVED, which MariaDB lacks: name the dialect.
                "spring.jpa.database-platform=org.hibernate.dialect.MariaDBDialect").run();
    }

    /**
     * Issue 22: the same application on the embedded PostgreSQL, through the guard, with Hibernate's
     * {@code PostgreSQLDialect}; a database of its own.
     */
    static ConfigurableApplicationContext startPostgres(String database) {
        // The embedded server's own start-up log, before Spring Boot configures logging: not the test's.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.zonky"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        io.jdbcguard.it.PostgresTables.exec("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        String url = io.jdbcguard.it.PgDatabase.guardUrl();
        int q = url.indexOf('?');
        url = url.substring(0, url.lastIndexOf('/', q) + 1) + database + url.substring(q);
        return new SpringApplicationBuilder(ClinicApp.class).properties(
                "spring.main.web-application-type=none",
                "spring.main.banner-mode=off",
                "spring.datasource.url=" + url,
                "spring.datasource.driver-class-name=io.jdbcguard.GuardDriver",
                "spring.datasource.hikari.maximum-pool-size=12",
                "spring.jpa.hibernate.ddl-auto=create",
                "spring.jpa.open-in-view=false",
                "spring.flyway.enabled=false",
                "spring.jpa.database-platform=org.hibernate.dialect.PostgreSQLDialect").run();
    }
}
