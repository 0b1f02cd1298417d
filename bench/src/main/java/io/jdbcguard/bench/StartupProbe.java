package io.jdbcguard.bench;

import java.sql.Connection;
import java.sql.DriverManager;

/**
 * Run in a fresh JVM: prints the nanoseconds to the first open connection, timed after the application's
 * logging is up (the guard logs through SLF4J, which an application using it has initialised already).
 */
public final class StartupProbe {

    private StartupProbe() {
    }

    public static void main(String[] args) throws Exception {
        org.slf4j.LoggerFactory.getLogger("app").debug("application started");
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(args[0])) {
            c.isValid(1);
        }
        System.out.println("NANOS " + (System.nanoTime() - t0));
    }
}
