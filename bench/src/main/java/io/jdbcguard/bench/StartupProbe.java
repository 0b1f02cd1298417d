package io.jdbcguard.bench;

import java.sql.Connection;
import java.sql.DriverManager;

/** Run in a fresh JVM: prints the nanoseconds from main() to the first open connection. */
public final class StartupProbe {

    private StartupProbe() {
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(args[0])) {
            c.isValid(1);
        }
        System.out.println("NANOS " + (System.nanoTime() - t0));
    }
}
