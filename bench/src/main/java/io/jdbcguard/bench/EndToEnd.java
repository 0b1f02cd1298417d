package io.jdbcguard.bench;

import io.jdbcguard.it.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Throughput on the embedded MariaDB, every variant against the same server, interleaved: each round runs
 * a short slice of every variant back to back (the order rotates each round), the ratio to raw is formed
 * within the round, and the median and interquartile range are taken over the rounds. {@code raw2} is a
 * second copy of the raw driver: its ratio is the noise floor.
 */
final class EndToEnd {

    /** Slices of every variant run before the measured rounds. */
    static final int WARMUP_SLICES = 15;

    static final List<String> VARIANTS = List.of("raw", "raw2", "guard", "guard-norules", "p6spy-logging", "dsproxy");

    /** One workload's result: variant → ratio stats, plus raw's absolute ops/s. */
    record Result(Map<String, Stats> ratios, Stats rawOpsPerSecond, int rounds, long sliceMs) {
    }

    interface Slice {
        /** Runs for about {@code millis}; returns operations done. */
        long run(long millis) throws Exception;
    }

    private EndToEnd() {
    }

    /**
     * Where a workload runs: the real driver's URL (the server starts on first use), how to run DDL there, and
     * the DDL of the two workloads' tables in its own dialect.
     */
    record Server(java.util.function.Supplier<String> url, java.util.function.Consumer<String[]> exec,
                  String[] accounts, String[] users) {
    }

    static final Server MARIADB = new Server(TestDatabase::url, TestDatabase::exec, new String[] {
            "DROP TABLE IF EXISTS bench_accounts",
            "CREATE TABLE bench_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)",
            "INSERT INTO bench_accounts SELECT seq, seq * 10 FROM seq_1_to_1000"}, new String[] {
            "DROP TABLE IF EXISTS bench_users",
            "CREATE TABLE bench_users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, "
                    + "UNIQUE KEY ux_bench_email (email))"});

    static Result pointSelect(int rounds, long sliceMs, int warmup) throws Exception {
        return pointSelect(MARIADB, VARIANTS, rounds, sliceMs, warmup);
    }

    /** W1: a prepared point select by primary key, one thread, for each variant ("raw" among them). */
    static Result pointSelect(Server server, List<String> variants, int rounds, long sliceMs, int warmup) throws Exception {
        server.exec().accept(server.accounts());
        Map<String, Slice> slices = new LinkedHashMap<>();
        List<Connection> open = new ArrayList<>();
        for (String v : variants) {
            Connection c = Variants.open(v, server.url().get());
            open.add(c);
            PreparedStatement ps = c.prepareStatement("SELECT id, balance FROM bench_accounts WHERE id = ?");
            slices.put(v, millis -> {
                long end = System.nanoTime() + millis * 1_000_000L;
                long n = 0;
                while (System.nanoTime() < end) {
                    ps.setInt(1, (int) (n % 1000) + 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        rs.getLong(2);
                    }
                    n++;
                }
                return n;
            });
        }
        try {
            return interleave(slices, rounds, sliceMs, warmup);
        } finally {
            for (Connection c : open) {
                c.close();
            }
        }
    }

    static Result checkThenInsert(int threads, int rounds, long sliceMs, int warmup) throws Exception {
        return checkThenInsert(threads, rounds, sliceMs, warmup, VARIANTS);
    }

    /** The check-then-insert transaction on {@code threads} threads, for the given variants ("raw" among them). */
    static Result checkThenInsert(int threads, int rounds, long sliceMs, int warmup, List<String> variants)
            throws Exception {
        return checkThenInsert(MARIADB, variants, threads, rounds, sliceMs, warmup);
    }

    /** W2: check by a unique key, insert it, commit, on {@code threads} threads with different keys. */
    static Result checkThenInsert(Server server, List<String> variants, int threads, int rounds, long sliceMs,
                                  int warmup) throws Exception {
        server.exec().accept(server.users());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Map<String, Slice> slices = new LinkedHashMap<>();
        List<Connection> open = new ArrayList<>();
        long[] counter = new long[1];
        for (String v : variants) {
            List<PreparedStatement[]> perThread = new ArrayList<>();
            List<Connection> conns = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Connection c = Variants.open(v, server.url().get());
                c.setAutoCommit(false);
                open.add(c);
                conns.add(c);
                perThread.add(new PreparedStatement[] {
                        c.prepareStatement("SELECT id FROM bench_users WHERE email = ?"),
                        c.prepareStatement("INSERT INTO bench_users (email) VALUES (?)")});
            }
            slices.put(v, millis -> {
                long base;
                synchronized (counter) {
                    base = counter[0];
                    counter[0] += 1_000_000_000L;
                }
                List<Future<Long>> fs = new ArrayList<>();
                long end = System.nanoTime() + millis * 1_000_000L;
                for (int t = 0; t < threads; t++) {
                    PreparedStatement[] ps = perThread.get(t);
                    Connection c = conns.get(t);
                    long prefix = base + t * 100_000_000L;
                    fs.add(pool.submit(() -> {
                        long n = 0;
                        while (System.nanoTime() < end) {
                            String email = "u" + (prefix + n) + "@example.com";
                            ps[0].setString(1, email);
                            boolean found;
                            try (ResultSet rs = ps[0].executeQuery()) {
                                found = rs.next();
                            }
                            if (!found) {
                                ps[1].setString(1, email);
                                ps[1].executeUpdate();
                            }
                            c.commit();
                            n++;
                        }
                        return n;
                    }));
                }
                long total = 0;
                for (Future<Long> f : fs) {
                    total += f.get();
                }
                return total;
            });
        }
        try {
            return interleave(slices, rounds, sliceMs, warmup);
        } finally {
            pool.shutdown();
            for (Connection c : open) {
                c.close();
            }
        }
    }

    static Result interleave(Map<String, Slice> slices, int rounds, long sliceMs, int warmup) throws Exception {
        List<String> names = new ArrayList<>(slices.keySet());
        // Warm-up, not counted: every variant runs `warmup` slices first, so that the JIT has compiled each
        // variant's code before measuring. Measured here: with two 200 ms slices the guard's extra code was
        // still being compiled during the measured rounds, on the one CPU everything shares.
        for (int w = 0; w < warmup; w++) {
            for (String v : names) {
                slices.get(v).run(sliceMs);
            }
        }
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        List<Double> raw = new ArrayList<>();
        for (String v : names) {
            ratios.put(v, new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            Map<String, Double> ops = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                String v = names.get((i + r) % names.size());
                ops.put(v, slices.get(v).run(sliceMs) * 1000.0 / sliceMs);
            }
            raw.add(ops.get("raw"));
            for (String v : names) {
                ratios.get(v).add(ops.get(v) / ops.get("raw"));
            }
        }
        Map<String, Stats> out = new LinkedHashMap<>();
        ratios.forEach((k, v) -> out.put(k, Stats.of(v)));
        return new Result(out, Stats.of(raw), rounds, sliceMs);
    }

    /** Pins this JVM (all its threads) and the embedded server to the given CPUs; returns what it ran. */
    static String pin(String cpus) {
        List<Long> pids = new ArrayList<>();
        pids.add(ProcessHandle.current().pid());
        ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.contains("mysqld") || c.contains("mariadbd")).orElse(false))
                .forEach(p -> pids.add(p.pid()));
        StringBuilder done = new StringBuilder();
        for (long pid : pids) {
            try {
                Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, String.valueOf(pid))
                        .redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() == 0) {
                    done.append(done.length() == 0 ? "" : ", ").append("taskset -a -p -c ").append(cpus).append(' ').append(pid);
                }
            } catch (Exception e) {
                return "not pinned (" + e.getMessage() + ")";
            }
        }
        return done.toString();
    }

    static String serverVersion() throws SQLException {
        try (Connection c = TestDatabase.raw()) {
            return c.getMetaData().getDatabaseProductVersion();
        }
    }
}
