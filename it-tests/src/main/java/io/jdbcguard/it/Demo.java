package io.jdbcguard.it;

import io.jdbcguard.GuardStats;
import java.sql.Connection;

/**
 * The demo: the seed's get-or-create race on embedded MariaDB, straight through Connector/J and through
 * the guard. Run with {@code mvn -B -q -Pdemo -DskipTests verify}; add {@code -Ddemo.database=postgresql} for the
 * same race on embedded PostgreSQL ({@link PostgresDemo}).
 */
public final class Demo {

    static final int THREADS = 8;
    static final int CALLS = 200;
    static final int KEYS = 20;

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println();
        System.out.println("jdbc-guard demo: the get-or-create race (SELECT the key; if absent, INSERT it)");
        if ("postgresql".equals(System.getProperty("demo.database"))) {
            PostgresDemo.run();
            System.exit(0);
        }
        String url = TestDatabase.url();
        try (Connection c = TestDatabase.raw()) {
            System.out.println("server: " + c.getMetaData().getDatabaseProductVersion() + " at "
                    + io.jdbcguard.internal.GuardUrl.mask(url));
        }
        System.out.printf("%d threads x %d calls over %d keys, each call one REPEATABLE READ transaction, "
                + "started together behind a barrier%n%n", THREADS, CALLS, KEYS);

        GetOrCreateRace raw = new GetOrCreateRace(url, "demo_users");
        raw.reset(false);
        report("1. straight through Connector/J, no unique index on email", raw.run(THREADS, CALLS, KEYS));
        raw.reset(true);
        report("2. straight through Connector/J, unique index on email", raw.run(THREADS, CALLS, KEYS));

        System.out.println("Without a unique index the table silently gains duplicate rows; with one, the losers");
        System.out.println("get duplicate-key errors. Single-threaded tests see neither; the guard does:");
        System.out.println();

        GetOrCreateRace guarded = new GetOrCreateRace(TestDatabase.guardUrl(), "demo_users");
        guarded.reset(false);
        System.out.println("3. ONE thread, ONE call, through jdbc:guard:, no unique index (the guard's log follows)");
        report("", guarded.run(1, 1, 1));
        System.out.println();
        guarded.reset(true);
        System.out.println("4. the race through jdbc:guard:, unique index on email: the same code, so the same place as in 3;");
        System.out.println("   the guard counts it instead of logging it again");
        long before = GuardStats.statements();
        report("", guarded.run(THREADS, CALLS, KEYS));
        System.out.printf("   the guard saw %d statements; findings so far by rule: %s; internal errors: %d%n",
                GuardStats.statements() - before, GuardStats.findingsByRule(), GuardStats.internalErrors());
        System.out.println();
        System.out.println("5. the seed's second half: the loser's re-SELECT after the duplicate key, at scale");
        RaceAtScale.print(RaceAtScale.fourWays());
        System.out.println("   (b) is the seed's advice on REPEATABLE READ: its snapshot hides the winner's row. Through the");
        System.out.println("   guard the same code finds it (fresh read), and the retry helper retries the duplicate key.");
        System.exit(0);
    }

    private static void report(String title, GetOrCreateRace.Result r) {
        if (!title.isEmpty()) {
            System.out.println(title);
        }
        System.out.printf("   rows %d for %d keys (%d duplicate rows), %d duplicate-key errors reached the application%n",
                r.rows(), r.distinctKeys(), r.duplicateRows(), r.duplicateKeyErrors());
    }
}
