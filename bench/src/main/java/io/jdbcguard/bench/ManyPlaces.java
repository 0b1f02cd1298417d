package io.jdbcguard.bench;

import io.jdbcguard.GuardStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.hibernate.benchshim.Frames;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Issue 19's stages: {@link ManyPlacesBench} (ns per statement, one SQL from many places), the guard's stack
 * walks per statement in each shape (counted, not timed), and the clinic application's flows straight and
 * through the guard (it-jpa's {@code FlowsBench}, each run in a JVM of its own).
 */
final class ManyPlaces {

    static final String[] VARIANTS = {"raw", "guard", "p6spy-core", "dsproxy"};
    /** Written by bench/run.sh: it-jpa's class path. */
    static final Path FLOWS_CLASSPATH = Path.of("bench", "target", "it-jpa.cp");

    private ManyPlaces() {
    }

    /** "shape|depth|values" → variant → {ns, error}. */
    static Map<String, Map<String, double[]>> measure(boolean quick) throws Exception {
        OptionsBuilder ob = new OptionsBuilder();
        ob.include(ManyPlacesBench.class.getName() + ".pointSelect");
        ob.warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.milliseconds(quick ? 200 : 500))
                .measurementIterations(quick ? 1 : 3).measurementTime(TimeValue.milliseconds(quick ? 200 : 500));
        if (quick) {
            ob.param("depth", "100").param("values", "varying");
        }
        Collection<RunResult> results = new Runner(ob.timeUnit(TimeUnit.NANOSECONDS).build()).run();
        Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
        for (RunResult r : results) {
            var p = r.getParams();
            out.computeIfAbsent(p.getParam("shape") + "|" + p.getParam("depth") + "|" + p.getParam("values"),
                    k -> new LinkedHashMap<>()).put(p.getParam("variant"),
                    new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
        }
        return out;
    }

    /** Shape → stack walks per statement through the guard, after 2,000 statements of warm-up. */
    static Map<String, Double> walksPerStatement(int statements) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String shape : ManyPlacesBench.SHAPES) {
            try (Connection c = Variants.open("guard", StubBench.URL);
                 PreparedStatement ps = c.prepareStatement("SELECT id, balance FROM accounts WHERE id = ? /* " + shape + " */")) {
                Callable<Long>[] sites = Sites.of(new Frames.Select(ps, 100, true));
                int places = shape.equals("1-place") || shape.equals("once-then-there") ? 1 : Integer.parseInt(shape.split("-")[0]);
                if (shape.equals("once-then-there")) {
                    sites[63].call();
                }
                for (int i = 0; i < 2_000; i++) {
                    sites[i % places].call();
                }
                long before = GuardStats.stackWalks();
                for (int i = 0; i < statements; i++) {
                    sites[i % places].call();
                }
                out.put(shape, (GuardStats.stackWalks() - before) / (double) statements);
            }
        }
        return out;
    }

    /** Per run: {raw requests/s, guard requests/s, guard walks per statement}; empty where it-jpa's class path is missing. */
    static List<double[]> flows(boolean quick, int runs) throws Exception {
        List<double[]> out = new ArrayList<>();
        if (!Files.exists(FLOWS_CLASSPATH)) {
            System.out.println("no " + FLOWS_CLASSPATH + ": the flows stage runs from bench/run.sh");
            return out;
        }
        String cp = "it-jpa/target/classes" + java.io.File.pathSeparator + Files.readString(FLOWS_CLASSPATH).trim();
        String warm = quick ? "3000" : "8000";
        String measure = quick ? "3000" : "15000";
        for (int run = 0; run < runs; run++) {
            double[] r = new double[3];
            // Alternate which goes first, so that neither always meets the machine warmer.
            for (String variant : run % 2 == 0 ? new String[] {"raw", "guard"} : new String[] {"guard", "raw"}) {
                for (String l : fork(cp, variant, warm, measure)) {
                    String[] f = l.split(" ");
                    if (f.length == 4 && f[0].equals("FLOWS")) {
                        if (f[1].equals("raw")) {
                            r[0] = Double.parseDouble(f[2]);
                        } else {
                            r[1] = Double.parseDouble(f[2]);
                            r[2] = Double.parseDouble(f[3]);
                        }
                    }
                }
            }
            System.out.println(String.format(Locale.ROOT, "flows run %d: raw %.0f, guard %.0f requests/s (%.3f), %.5f walks/statement",
                    run + 1, r[0], r[1], r[1] / r[0], r[2]));
            out.add(r);
        }
        return out;
    }

    private static List<String> fork(String cp, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", cp, "io.jdbcguard.jpa.app.FlowsBench"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("FlowsBench failed:\n" + String.join("\n", lines));
        }
        return lines;
    }

    static void report(StringBuilder md, Map<String, Map<String, double[]>> many, Map<String, Double> walks,
                       List<double[]> flows, boolean quick) {
        md.append("\n## One SQL from many places (stub driver, JMH, ns per statement)\n\n")
                .append("A prepared point select run as an application runs its `findById`: from 1, 8 or 64 call sites\n")
                .append("in turn, or once from one place and then always from another (`once-then-there`); under 10 or\n")
                .append("100 frames of \"ORM\" between the call site and JDBC (frames the guard counts as infrastructure, so\n")
                .append("a stack walk passes them); the same value or a new one each time. *Added* is the variant's score\n")
                .append("minus `raw`'s. `walks/stmt` is the guard's stack walks per statement in that shape, counted over\n")
                .append("a steady run (not timed).\n\n")
                .append("| shape | depth | values |");
        for (String v : VARIANTS) {
            md.append(' ').append(v).append(" |");
        }
        md.append(" guard walks/stmt |\n|---|---|---|");
        for (int i = 0; i <= VARIANTS.length; i++) {
            md.append("---|");
        }
        md.append('\n');
        many.forEach((key, byVariant) -> {
            String[] k = key.split("\\|");
            md.append("| ").append(k[0]).append(" | ").append(k[1]).append(" | ").append(k[2]).append(" |");
            double[] raw = byVariant.get("raw");
            for (String v : VARIANTS) {
                double[] s = byVariant.get(v);
                md.append(s == null ? " – |" : String.format(Locale.ROOT, " %.0f ± %.0f%s |", s[0], s[1],
                        v.equals("raw") || raw == null ? "" : String.format(Locale.ROOT, " (added %+.0f)", s[0] - raw[0])));
            }
            Double w = walks.get(k[0]);
            md.append(w == null ? " – |" : String.format(Locale.ROOT, " %.5f |", w)).append('\n');
        });
        md.append("\n## A Spring Boot / Hibernate application's flows (it-jpa, embedded MariaDB, requests per second)\n\n");
        if (flows.isEmpty()) {
            md.append("Not run: `bench/run.sh` writes it-jpa's class path first.\n");
            return;
        }
        md.append("The clinic application of `it-jpa` (Spring Boot 4, Hibernate 7, Spring Data JPA, HikariCP), two threads\n")
                .append("each running five flows in turn (find an owner by telephone, load one, a visit, rename a pet, a\n")
                .append("deposit), each flow a transaction; `findById` serves four of them from their own call sites.\n")
                .append("Straight (the starter disabled) and through the guard (the starter, as an application adds it),\n")
                .append("each run in a JVM of its own with its own server, ").append(quick ? "3 s" : "8 s")
                .append(" of warm-up, then ").append(quick ? "3 s" : "15 s").append(" measured.\n\n")
                .append("| run | straight (req/s) | guard (req/s) | guard / straight | guard walks/stmt |\n|---|---|---|---|---|\n");
        for (int i = 0; i < flows.size(); i++) {
            double[] r = flows.get(i);
            md.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.3f | %.5f |%n", i + 1, r[0], r[1], r[1] / r[0], r[2]));
        }
        md.append(String.format(Locale.ROOT, "| median | | | %.3f | |%n", medianRatio(flows)));
    }

    static double medianRatio(List<double[]> flows) {
        double[] ratios = flows.stream().mapToDouble(r -> r[1] / r[0]).sorted().toArray();
        return ratios.length == 0 ? Double.NaN : ratios[ratios.length / 2];
    }

    static void targets(StringBuilder md, Map<String, Map<String, double[]>> many, Map<String, Double> walks,
                        List<double[]> flows) {
        double worstWalks = walks.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        md.append(BenchAll.row("many places: stack walks per statement ≤ 1/256 in every shape",
                String.format(Locale.ROOT, "worst %.5f (1/256 = 0.00391)", worstWalks), worstWalks <= 1.0 / 256));
        for (String depth : new String[] {"10", "100"}) {
            double onePlace = Double.NaN;
            double worst = 0;
            double worstVsP6 = Double.NEGATIVE_INFINITY;
            boolean any = false;
            for (Map.Entry<String, Map<String, double[]>> e : many.entrySet()) {
                String[] k = e.getKey().split("\\|");
                if (!k[1].equals(depth) || !e.getValue().containsKey("guard") || !e.getValue().containsKey("raw")) {
                    continue;
                }
                any = true;
                double added = e.getValue().get("guard")[0] - e.getValue().get("raw")[0];
                if (k[0].equals("1-place") && k[2].equals("varying")) {
                    onePlace = added;
                }
                worst = Math.max(worst, added);
                double[] p6 = e.getValue().get("p6spy-core");
                if (p6 != null) {
                    worstVsP6 = Math.max(worstVsP6, added - (p6[0] - e.getValue().get("raw")[0]));
                }
            }
            if (!any) {
                continue;
            }
            md.append(BenchAll.row("many places, depth " + depth + ": added cost within 1.5× the one-place figure",
                    String.format(Locale.ROOT, "worst %+.0f ns vs one place %+.0f ns", worst, onePlace), worst <= 1.5 * onePlace))
                    .append(BenchAll.row("many places, depth " + depth + ": added cost below P6Spy's in every shape",
                            String.format(Locale.ROOT, "guard minus P6Spy, worst %+.0f ns", worstVsP6), worstVsP6 < 0));
        }
        if (!flows.isEmpty()) {
            double median = medianRatio(flows);
            double worstWalks2 = flows.stream().mapToDouble(r -> r[2]).max().orElse(Double.NaN);
            md.append(BenchAll.row("it-jpa flows through the guard ≥ 0.97 × straight (median of " + flows.size() + " runs)",
                    String.format(Locale.ROOT, "%.3f", median), median >= 0.97))
                    .append(BenchAll.row("it-jpa flows: stack walks per statement ≤ 1/256 once warm",
                            String.format(Locale.ROOT, "worst run %.5f", worstWalks2), worstWalks2 <= 1.0 / 256));
        }
    }
}
