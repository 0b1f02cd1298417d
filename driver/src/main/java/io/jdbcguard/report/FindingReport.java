package io.jdbcguard.report;

import io.jdbcguard.Finding;
import io.jdbcguard.FindingListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Findings by place, for people to look at after a run: a {@link FindingListener} that keeps one row
 * per place (rule, level, table, columns, both call sites, masked SQL, count, who hit it first, the fix),
 * written as {@code jdbc-guard-report.json} and a self-contained {@code jdbc-guard-report.html}. Used by
 * the JUnit 5 extension (first test) and by {@code guard.report} at JVM shutdown (first thread).
 */
public final class FindingReport implements FindingListener {

    /** File names written into the report directory. */
    public static final String JSON = "jdbc-guard-report.json";
    public static final String HTML = "jdbc-guard-report.html";
    /** Places kept; more are counted in {@link #dropped()} only. */
    static final int MAX_ROWS = 10_000;

    /** One place. */
    public static final class Row {
        final Finding finding;
        final String firstSeenBy;
        long count;

        Row(Finding finding, String firstSeenBy) {
            this.finding = finding;
            this.firstSeenBy = firstSeenBy;
        }

        public Finding finding() {
            return finding;
        }

        public String firstSeenBy() {
            return firstSeenBy;
        }

        public synchronized long count() {
            return count;
        }
    }

    /** A place's parts: hashed and compared as they are, with no string built per occurrence. */
    private record Place(String rule, String table, java.util.List<String> columns, StackTraceElement checkSite,
                         StackTraceElement writeSite) {
        static Place of(Finding f) {
            return new Place(f.rule(), f.table(), f.columns(), f.checkSite(), f.writeSite());
        }
    }

    private final Map<Place, Row> rows = new ConcurrentHashMap<>();
    private final Function<Finding, String> origin;
    private volatile long dropped;

    /** @param origin names who hit a finding (a test, a thread) */
    public FindingReport(Function<Finding, String> origin) {
        this.origin = origin;
    }

    @Override
    public void onFinding(Finding f) {
        Place place = Place.of(f);
        Row row = rows.get(place);
        if (row == null) {
            if (rows.size() >= MAX_ROWS) {
                dropped++;
                return;
            }
            row = rows.computeIfAbsent(place, k -> new Row(f, origin.apply(f)));
        }
        synchronized (row) {
            row.count++;
        }
    }

    /** Places beyond {@link #MAX_ROWS}, not kept. */
    public long dropped() {
        return dropped;
    }

    /** The rows, grouped by rule, most frequent first. */
    public List<Row> rows() {
        List<Row> out = new ArrayList<>(rows.values());
        out.sort(Comparator.comparing((Row r) -> r.finding.rule()).thenComparing(Row::count, Comparator.reverseOrder()));
        return out;
    }

    /** The fix a finding proposes: its message from {@code Fix:} on. */
    static String fix(Finding f) {
        int i = f.message().indexOf("Fix:");
        return i < 0 ? "" : f.message().substring(i + 4).trim();
    }

    /** The rows as a JSON array. */
    public String json() {
        StringBuilder sb = new StringBuilder("[");
        List<Row> all = rows();
        for (int i = 0; i < all.size(); i++) {
            Row r = all.get(i);
            Finding f = r.finding;
            sb.append(i == 0 ? "\n" : ",\n").append("  {");
            field(sb, "rule", f.rule(), true);
            field(sb, "level", f.level().name(), false);
            field(sb, "kind", f.happened() ? "happened" : "can happen", false);
            field(sb, "race", f.race(), false);
            field(sb, "table", f.table(), false);
            field(sb, "columns", String.join(",", f.columns()), false);
            field(sb, "checkSite", f.checkSite() == null ? null : f.checkSite().toString(), false);
            field(sb, "writeSite", f.writeSite() == null ? null : f.writeSite().toString(), false);
            field(sb, "isolation", f.isolation(), false);
            field(sb, "database", f.database(), false);
            field(sb, "sql", f.sql(), false);
            field(sb, "checkSql", f.checkSql(), false);
            sb.append(", \"count\": ").append(r.count());
            field(sb, "firstSeenBy", r.firstSeenBy, false);
            field(sb, "fix", fix(f), false);
            field(sb, "message", f.message(), false);
            sb.append('}');
        }
        return sb.append(all.isEmpty() ? "]" : "\n]").append('\n').toString();
    }

    private static void field(StringBuilder sb, String key, String value, boolean first) {
        sb.append(first ? "" : ", ").append('"').append(key).append("\": ");
        if (value == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '<': sb.append("\\u003c"); break; // safe inside the HTML's <script>
                case '>': sb.append("\\u003e"); break;
                case '&': sb.append("\\u0026"); break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /** Writes both files into the directory (created if needed); returns the HTML file. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String json = json();
        Files.writeString(dir.resolve(JSON), json, StandardCharsets.UTF_8);
        Path html = dir.resolve(HTML);
        Files.writeString(html, ReportPage.html(json, dropped), StandardCharsets.UTF_8);
        return html;
    }
}
