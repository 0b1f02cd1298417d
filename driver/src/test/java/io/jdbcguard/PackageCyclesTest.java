package io.jdbcguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rooms depend in one direction. Read from the sources (code, not comments): among the internal
 * packages no cycle, and the flow is wrappers (jdbc) → facts → rules → reports. The public package
 * {@code io.jdbcguard} is the exception by design: it holds both the value types the internals produce
 * ({@code Finding}, {@code UnsafePatternException}) and the facades that start them ({@code GuardDriver}).
 */
class PackageCyclesTest {

    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.jdbcguard(?:\\.([a-z]+))?\\.[A-Z]");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> g = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/jdbcguard"))) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                String src = COMMENTS.matcher(Files.readString(p)).replaceAll("");
                Matcher pm = PACKAGE.matcher(src);
                assertThat(pm.find()).isTrue();
                String pkg = pm.group(1);
                Set<String> deps = g.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(src);
                while (m.find()) {
                    String dep = "io.jdbcguard" + (m.group(1) == null ? "" : "." + m.group(1));
                    if (!dep.equals(pkg)) {
                        deps.add(dep);
                    }
                }
            }
        }
        return g;
    }

    @Test
    void noCycleAmongTheInternalPackages() throws IOException {
        Map<String, Set<String>> g = graph();
        g.remove("io.jdbcguard");
        g.values().forEach(d -> d.remove("io.jdbcguard"));
        List<String> cycle = new ArrayList<>();
        for (String start : g.keySet()) {
            if (reaches(g, start, start, new TreeSet<>(), cycle)) {
                break;
            }
        }
        assertThat(cycle).as("a cycle").isEmpty();
    }

    @Test
    void theFlowGoesOneWay() throws IOException {
        Map<String, Set<String>> g = graph();
        assertThat(g.get("io.jdbcguard.sql")).as("sql knows nothing of the rest").isEmpty();
        assertThat(g.get("io.jdbcguard.fact")).doesNotContain("io.jdbcguard.jdbc", "io.jdbcguard.rules");
        assertThat(g.get("io.jdbcguard.rules")).doesNotContain("io.jdbcguard.jdbc", "io.jdbcguard.core");
        assertThat(g.get("io.jdbcguard.jdbc")).doesNotContain("io.jdbcguard.rules", "io.jdbcguard.core");
        assertThat(g.get("io.jdbcguard.report")).doesNotContain("io.jdbcguard.rules", "io.jdbcguard.jdbc");
    }

    private static boolean reaches(Map<String, Set<String>> g, String from, String target, Set<String> seen,
                                   List<String> path) {
        for (String next : g.getOrDefault(from, Set.of())) {
            if (next.equals(target)) {
                path.add(from);
                path.add(next);
                return true;
            }
            if (seen.add(next) && reaches(g, next, target, seen, path)) {
                path.add(0, from);
                return true;
            }
        }
        return false;
    }
}
