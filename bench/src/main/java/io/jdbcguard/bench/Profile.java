package io.jdbcguard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the guard's time goes on the stub driver: JFR's execution samples (the JDK's own profiler, no
 * download) while one benchmark body runs through the guard with every rule on, each sample charged to
 * the innermost part of the guard on its stack. Run in a JVM of its own (with a deep JFR stack);
 * prints {@code PROFILE <benchmark> <part> <samples>}.
 */
public final class Profile {

    /** The parts a sample is charged to, in report order. */
    static final List<String> PARTS = List.of("wrapper calls", "shape lookup", "fact (record, execution fact)",
            "listener dispatch", "PatternRecorder", "CheckThenInsertRule", "LostUpdateRule", "StaleReadRule",
            "LockWithoutTransactionRule", "IsolationRule", "call-site stack walks", "reporting (places, counts)",
            "stub driver", "benchmark loop");

    private static final List<String> RULES = List.of("PatternRecorder", "CheckThenInsertRule", "LostUpdateRule",
            "StaleReadRule", "LockWithoutTransactionRule", "IsolationRule");

    private Profile() {
    }

    /** The benchmarks profiled, each in a JVM of its own (as JMH forks them: one SQL text, one call site). */
    static final List<String> BENCHMARKS = List.of("pointSelect", "prepareExecuteClose", "plainStatementLiterals",
            "checkThenInsert");

    /** Arguments: {@code quick} or {@code full}, then the benchmarks to profile. */
    public static void main(String[] args) throws Exception {
        long millis = args[0].equals("quick") ? 1_000 : 6_000;
        for (String bench : List.of(args).subList(1, args.length)) {
            StubBench b = new StubBench();
            b.variant = "guard";
            b.open();
            Runnable body = body(b, bench);
            long warm = System.nanoTime() + millis * 1_000_000L / 2;
            while (System.nanoTime() < warm) {
                body.run();
            }
            Path file = Files.createTempFile("jdbc-guard-profile", ".jfr");
            try (Recording r = new Recording()) {
                r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
                r.start();
                long end = System.nanoTime() + millis * 1_000_000L;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 1000; i++) {
                        body.run();
                    }
                }
                r.stop();
                r.dump(file);
            }
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (e.getEventType().getName().equals("jdk.ExecutionSample") && e.getStackTrace() != null) {
                    counts.merge(part(e.getStackTrace().getFrames()), 1, Integer::sum);
                }
            }
            Files.deleteIfExists(file);
            b.close();
            counts.forEach((part, n) -> System.out.println("PROFILE " + bench + " " + part.replace(' ', '_') + " " + n));
        }
        System.exit(0);
    }

    private static Runnable body(StubBench b, String bench) {
        return () -> {
            try {
                switch (bench) {
                    case "pointSelect" -> b.pointSelect();
                    case "prepareExecuteClose" -> b.prepareExecuteClose();
                    case "plainStatementLiterals" -> b.plainStatementLiterals();
                    default -> b.checkThenInsert();
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** The part of the guard a sample's stack (innermost frame first) is charged to. */
    static String part(List<RecordedFrame> frames) {
        for (int i = 0; i < frames.size(); i++) {
            String type = frames.get(i).getMethod().getType().getName();
            if (type.startsWith("java.lang.StackStreamFactory") || type.startsWith("java.lang.StackWalker")
                    || type.startsWith("io.jdbcguard.rules.CallSites")) {
                return "call-site stack walks";
            }
            if (type.contains("$Proxy") || type.startsWith("io.jdbcguard.stub.")) {
                return "stub driver"; // the stub answers through JDK dynamic proxies
            }
            if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")) {
                continue; // the JDK's code is charged to whoever called it
            }
            if (type.startsWith("io.jdbcguard.rules.")) {
                String simple = type.substring("io.jdbcguard.rules.".length());
                if (simple.startsWith("Reporter") || simple.startsWith("Findings") || simple.startsWith("IndexCatalog")) {
                    return "reporting (places, counts)";
                }
                // Shared pattern code (Patterns, ThreadMemory, the sampler) is charged to the rule that called it.
                for (int j = i; j < frames.size(); j++) {
                    String t = frames.get(j).getMethod().getType().getName();
                    for (String rule : RULES) {
                        if (t.equals("io.jdbcguard.rules." + rule)) {
                            return rule;
                        }
                    }
                }
                return "reporting (places, counts)";
            }
            if (type.equals("io.jdbcguard.fact.FactBus")) {
                return "listener dispatch";
            }
            if (type.startsWith("io.jdbcguard.fact.") || type.equals("io.jdbcguard.jdbc.Exec")) {
                return "fact (record, execution fact)";
            }
            if (type.startsWith("io.jdbcguard.sql.")) {
                return "shape lookup";
            }
            if (type.startsWith("io.jdbcguard.bench.")) {
                return "benchmark loop";
            }
            if (type.startsWith("io.jdbcguard.")) {
                return "wrapper calls";
            }
        }
        return "benchmark loop";
    }
}
