package io.jdbcguard.jpa.app;

import io.jdbcguard.Guard;
import io.jdbcguard.GuardStats;
import io.jdbcguard.it.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 19's real-application measure, run by {@code bench/run.sh} in a JVM of its own per run: the clinic
 * application's flows (Spring Boot, Hibernate, Spring Data JPA, HikariCP; one SQL from many call sites:
 * {@code findById} serves four service methods) as requests per second, straight ({@code raw}: the starter
 * disabled) or through the guard ({@code guard}: the starter, as an application adds it), and the guard's
 * stack walks per statement once warm. Prints {@code FLOWS <variant> <requests/s> <walks per statement>}.
 */
public final class FlowsBench {

    private FlowsBench() {
    }

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        long warmupMs = Long.parseLong(args[1]);
        long measureMs = Long.parseLong(args[2]);
        int threads = 2;
        TestDatabase.exec("DROP DATABASE IF EXISTS clinic_bench", "CREATE DATABASE clinic_bench");
        String url = TestDatabase.url();
        int q = url.indexOf('?');
        url = url.substring(0, url.lastIndexOf('/', q) + 1) + "clinic_bench" + url.substring(q);
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ClinicApp.class).properties(
                "spring.main.web-application-type=none", "spring.main.banner-mode=off",
                "logging.level.root=WARN", "logging.level.jdbcguard=OFF",
                "spring.datasource.url=" + url, "spring.datasource.hikari.maximum-pool-size=4",
                "spring.jpa.hibernate.ddl-auto=create", "spring.jpa.open-in-view=false",
                "spring.jpa.database-platform=org.hibernate.dialect.MariaDBDialect",
                "jdbc-guard.enabled=" + variant.equals("guard")).run()) {
            ClinicService clinic = ctx.getBean(ClinicService.class);
            clinic.newType("cat");
            int owners = 10;
            long[][] ids = new long[threads][owners];
            long[][] accounts = new long[threads][owners];
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < owners; i++) {
                    ids[t][i] = clinic.ownerFor(phone(t, i)).getId();
                    clinic.addPet(ids[t][i], "Rosy");
                    accounts[t][i] = clinic.accountFor("a" + t + "-" + i + "@x").getId();
                }
            }
            LongAdder requests = new LongAdder();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                Thread w = new Thread(() -> {
                    boolean renamed = false;
                    for (long n = 0; !stop.get(); n++) {
                        int i = (int) (n % owners);
                        clinic.ownerFor(phone(me, i));
                        clinic.find(ids[me][i]);
                        clinic.visit(ids[me][i]);
                        if (i == 0) {
                            renamed = !renamed;
                        }
                        clinic.renamePet(ids[me][i], renamed ? "Rosy" : "Rosie", renamed ? "Rosie" : "Rosy");
                        clinic.deposit(accounts[me][i], 1);
                        requests.add(5);
                    }
                });
                workers.add(w);
                w.start();
            }
            Thread.sleep(warmupMs);
            long walks0 = GuardStats.stackWalks();
            long statements0 = Guard.global().statements();
            long requests0 = requests.sum();
            long t0 = System.nanoTime();
            Thread.sleep(measureMs);
            long done = requests.sum() - requests0;
            double seconds = (System.nanoTime() - t0) / 1e9;
            long walks = GuardStats.stackWalks() - walks0;
            long statements = Guard.global().statements() - statements0;
            stop.set(true);
            for (Thread w : workers) {
                w.join();
            }
            System.out.println("FLOWS " + variant + " " + done / seconds + " "
                    + (statements == 0 ? 0.0 : (double) walks / statements));
        }
        System.exit(0);
    }

    private static String phone(int thread, int i) {
        return "608-" + thread + "-" + i;
    }
}
