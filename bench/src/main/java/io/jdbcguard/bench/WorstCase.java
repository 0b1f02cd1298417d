package io.jdbcguard.bench;

import io.jdbcguard.it.SqlFuzz;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Issue 9's stage: the latency the guard adds to one statement of each hostile input family, on the
 * stub driver, for texts it has never seen (every input distinct, so both shape caches miss). Each input
 * runs once straight and once through the guard, alternately; the added latency is the difference.
 */
final class WorstCase {

    /** Added microseconds of one family: worst and median over its inputs. */
    record Result(String family, int inputs, double worstMicros, double medianMicros) {
    }

    private static int unique;

    private WorstCase() {
    }

    static Map<String, IntFunction<String>> families() {
        Map<String, IntFunction<String>> f = new LinkedHashMap<>();
        f.put("nested parentheses, 12 levels", i -> "SELECT id FROM t" + i + " WHERE " + "(".repeat(12) + "email='a'" + ")".repeat(12));
        f.put("nested parentheses, 14 levels", i -> "SELECT id FROM t" + i + " WHERE " + "(".repeat(14) + "email='a'" + ")".repeat(14));
        f.put("5 unclosed parentheses (syntax error)", i -> "SELECT id FROM t" + i + " WHERE ((((( email='a'");
        f.put("nesting 10,000 levels", i -> "SELECT id FROM t" + i + " WHERE " + "(".repeat(10_000) + "email='a'" + ")".repeat(10_000));
        f.put("IN list of 2,000 values", i -> {
            StringBuilder sb = new StringBuilder("SELECT id FROM t" + i + " WHERE id IN (");
            for (int k = 0; k < 2000; k++) {
                sb.append(k == 0 ? "" : ",").append(k);
            }
            return sb.append(')').toString();
        });
        f.put("1 MB of digits", i -> "SELECT id FROM t" + i + " WHERE id = " + "7".repeat(1 << 20));
        f.put("1 MB string literal", i -> "SELECT id FROM t" + i + " WHERE email = '" + "x".repeat(1 << 20) + "'");
        f.put("8 KB statement", i -> "SELECT id FROM t" + i + " WHERE email = ? AND note = '" + "x".repeat(8_000) + "'");
        f.put("multi-row INSERT, 100,000 characters", i -> "INSERT INTO t" + i + " (email) VALUES " + "('a'),".repeat(16_000) + "('b')");
        SqlFuzz fuzz = new SqlFuzz(7);
        f.put("fuzz-mutated statements", i -> fuzz.mutated().replace("fz_t", "fz_t" + i));
        return f;
    }

    static List<Result> measure(String stubUrl, int inputs) throws SQLException {
        List<Result> out = new ArrayList<>();
        try (Connection raw = DriverManager.getConnection(stubUrl);
             Connection guard = DriverManager.getConnection("jdbc:guard:" + stubUrl.substring(5));
             Statement r = raw.createStatement(); Statement g = guard.createStatement()) {
            Map<String, IntFunction<String>> families = families();
            for (int w = 0; w < 30; w++) { // warm-up on other texts of every family, as JMH would
                for (IntFunction<String> family : families.values()) {
                    String sql = family.apply(1_000_000 + unique++);
                    run(r, sql);
                    run(g, sql);
                }
            }
            for (Map.Entry<String, IntFunction<String>> e : families.entrySet()) {
                List<Double> added = new ArrayList<>();
                for (int i = 0; i < inputs; i++) {
                    String sql = e.getValue().apply(unique++);
                    long rawNs = run(r, sql);
                    long guardNs = run(g, sql);
                    added.add((guardNs - rawNs) / 1000.0);
                }
                Stats s = Stats.of(added);
                out.add(new Result(e.getKey(), inputs, added.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                        s.median()));
                System.out.printf("  %-40s worst %+9.1f us, median %+8.1f us%n", e.getKey(),
                        out.get(out.size() - 1).worstMicros(), s.median());
            }
        }
        return out;
    }

    private static long run(Statement st, String sql) throws SQLException {
        long start = System.nanoTime();
        if (st.execute(sql)) {
            try (ResultSet rs = st.getResultSet()) {
                rs.next();
            }
        }
        return System.nanoTime() - start;
    }
}
