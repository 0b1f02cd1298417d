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
        // Connector/J 9 reads INFORMATION_SCHEMA.KEYWORDS.RESERVED, which MariaDB lacks: name the dialect.
        return run(TestDatabase.guardUrl(), database, "org.hibernate.dialect.MariaDBDialect");
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
        return run(io.jdbcguard.it.PgDatabase.guardUrl(), database, "org.hibernate.dialect.PostgreSQLDialect",
                "spring.flyway.enabled=false");
    }

    private static ConfigurableApplicationContext run(String serverGuardUrl, String database, String hibernateDialect,
                                                      String... extra) {
        int q = serverGuardUrl.indexOf('?');
        String url = serverGuardUrl.substring(0, serverGuardUrl.lastIndexOf('/', q) + 1) + database
                + serverGuardUrl.substring(q);
        java.util.List<String> properties = new java.util.ArrayList<>(java.util.List.of(
                "spring.main.web-application-type=none",
                "spring.main.banner-mode=off",
                "spring.datasource.url=" + url,
                "spring.datasource.driver-class-name=io.jdbcguard.GuardDriver",
                "spring.datasource.hikari.maximum-pool-size=12",
                "spring.jpa.hibernate.ddl-auto=create",
                "spring.jpa.open-in-view=false",
                "spring.jpa.database-platform=" + hibernateDialect));
        properties.addAll(java.util.List.of(extra));
        return new SpringApplicationBuilder(ClinicApp.class).properties(properties.toArray(String[]::new)).run();
    }
}
