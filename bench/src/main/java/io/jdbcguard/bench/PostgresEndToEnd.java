package io.jdbcguard.bench;

import io.jdbcguard.it.PgDatabase;
import io.jdbcguard.it.PostgresTables;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 22: the end-to-end stages on the embedded PostgreSQL, beside raw pgJDBC, P6Spy and datasource-proxy,
 * interleaved as on MariaDB ({@link EndToEnd#interleave}): a point select, and the check-then-insert transaction
 * on 4 threads, every INSERT of which completes a check on a table with a unique key, so that through the guard
 * each runs inside its savepoint: {@code guard-norepair} ({@code guard.recovery=off}) against {@code guard} is
 * what the repair costs.
 */
final class PostgresEndToEnd {

    static final List<String> VARIANTS = List.of("raw", "raw2", "guard", "guard-norepair", "p6spy-logging", "dsproxy");

    private PostgresEndToEnd() {
    }

    static final EndToEnd.Server POSTGRES = new EndToEnd.Server(PgDatabase::url, PostgresTables::exec, new String[] {
            "DROP TABLE IF EXISTS bench_accounts",
            "CREATE TABLE bench_accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)",
            "INSERT INTO bench_accounts SELECT g, g * 10 FROM generate_series(1, 1000) g"}, new String[] {
            "DROP TABLE IF EXISTS bench_users",
            "CREATE TABLE bench_users (id BIGSERIAL PRIMARY KEY, email VARCHAR(100) NOT NULL,"
                    + " CONSTRAINT ux_bench_email UNIQUE (email))"});

    static final String BEGIN = "<!-- postgresql -->";
    static final String END = "<!-- /postgresql -->";

    /** The stage: {@code runs} consecutive runs of both workloads; its section of BENCHMARKS.md, between markers. */
    static String stage(boolean quick) throws Exception {
        int runs = quick ? 1 : 3;
        int rounds = quick ? 4 : 20;
        long slice = quick ? 100 : 200;
        int warmup = quick ? 2 : 10;
        String server;
        try (Connection c = PgDatabase.raw()) {
            server = "PostgreSQL " + c.getMetaData().getDatabaseProductVersion() + ", pgJDBC " + c.getMetaData().getDriverVersion();
        }
        List<EndToEnd.Result> point = new ArrayList<>();
        List<EndToEnd.Result> cti = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            point.add(EndToEnd.pointSelect(POSTGRES, VARIANTS, rounds, slice, warmup));
            cti.add(EndToEnd.checkThenInsert(POSTGRES, VARIANTS, 4, rounds, slice, warmup));
        }
        StringBuilder md = new StringBuilder("\n" + BEGIN + "\n## End to end on PostgreSQL (issue 22)\n\n")
                .append(server).append(" (embedded, on this machine), ").append(runs).append(" consecutive runs in one JVM,")
                .append(" each ").append(rounds).append(" interleaved rounds of ").append(slice).append(" ms per variant after ")
                .append(warmup).append(" warm-up slices; each cell is the median of the runs' medians of throughput as a")
                .append(" fraction of raw pgJDBC in the same round (`raw2`, a second raw copy, is the noise floor), with the")
                .append(" runs' lowest and highest median. `guard-norepair` is `guard.recovery=off`.\n\n")
                .append("| workload | raw ops/s | ");
        for (String v : VARIANTS) {
            md.append(v).append(" | ");
        }
        md.append("\n|---|---|");
        md.append("---|".repeat(VARIANTS.size())).append('\n');
        row(md, "W1 point select, 1 thread", point);
        row(md, "W2 check + insert (unique key) + commit, 4 threads", cti);
        double raw = median(cti.stream().map(r -> r.rawOpsPerSecond().median()).toList());
        double off = raw * median(cti.stream().map(r -> r.ratios().get("guard-norepair").median()).toList());
        double on = raw * median(cti.stream().map(r -> r.ratios().get("guard").median()).toList());
        md.append(String.format(Locale.ROOT, "\nThe repair's cost: in W2 every INSERT completes a check on a table with"
                + " a unique key, so through `guard` each runs inside the guard's savepoint (`SAVEPOINT` before it, one"
                + " round trip; the server releases it at COMMIT); %.0f tx/s with it against %.0f without (`guard-norepair`), %+.0f µs"
                + " per transaction on 4 threads. Transactions whose INSERT completes no check (most of an application's)"
                + " take no savepoint.\n", on, off, 4 * 1e6 * (1 / on - 1 / off)));
        return md.append(END).append('\n').toString();
    }

    private static void row(StringBuilder md, String name, List<EndToEnd.Result> runs) {
        md.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, "%.0f",
                median(runs.stream().map(r -> r.rawOpsPerSecond().median()).toList()))).append(" | ");
        for (String v : VARIANTS) {
            List<Double> ms = runs.stream().map(r -> r.ratios().get(v).median()).toList();
            md.append(String.format(Locale.ROOT, "%.3f (%.3f–%.3f) | ", median(ms),
                    ms.stream().mapToDouble(d -> d).min().orElse(Double.NaN),
                    ms.stream().mapToDouble(d -> d).max().orElse(Double.NaN)));
        }
        md.append('\n');
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
