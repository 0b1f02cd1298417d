package io.jdbcguard.junit5;

import io.jdbcguard.Finding;
import io.jdbcguard.GuardStats;
import io.jdbcguard.report.FindingReport;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * Fails a test that made a finding at WARN or above, even if the application swallowed the
 * {@code UnsafePatternException} of strict mode, unless {@link AllowFinding} accepts it; and writes
 * {@code jdbc-guard-report.json} and {@code .html} at the end of the run.
 *
 * <p>A test's findings are those made while it runs, on its own thread or on threads it starts: every
 * occurrence delivered between its start and its end, after the guard settled what it was still
 * reading (tests run one at a time per JVM, JUnit's default; with parallel execution only findings on
 * the test's own thread are its). Works whichever way the guard came in (URL, agent, starter): it
 * listens to the JVM's findings.
 *
 * <p>Use {@code @ExtendWith(JdbcGuardExtension.class)}, or for a whole suite JUnit's automatic
 * extension registration ({@code junit.jupiter.extensions.autodetection.enabled=true}). The report goes
 * to the directory in system property {@code jdbcguard.report.dir}, else {@code target/} where it
 * exists, else the working directory.
 */
public final class JdbcGuardExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(JdbcGuardExtension.class);
    /** How long the end of a test waits for findings the guard is still settling (a table's first). */
    static final long SETTLE_MS = 10_000;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NS).getOrComputeIfAbsent(ReportAtEnd.class, k -> new ReportAtEnd(),
                ReportAtEnd.class);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        String test = context.getRequiredTestClass().getName() + "#" + context.getRequiredTestMethod().getName();
        long mark = FindingCollector.INSTANCE.mark(test);
        context.getStore(NS).put("mark", mark);
        context.getStore(NS).put("thread", Thread.currentThread().getName());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Long mark = context.getStore(NS).get("mark", Long.class);
        if (mark == null) {
            return;
        }
        GuardStats.awaitFindings(SETTLE_MS);
        String thread = context.getStore(NS).get("thread", String.class);
        boolean parallel = context.getConfigurationParameter("junit.jupiter.execution.parallel.enabled")
                .map(Boolean::parseBoolean).orElse(false);
        List<Finding> failing = new ArrayList<>();
        for (Finding f : FindingCollector.INSTANCE.since(mark)) {
            if (f.level().atLeast(Finding.Level.WARN) && (!parallel || f.thread().equals(thread))
                    && !allowed(f, context)) {
                failing.add(f);
            }
        }
        if (!failing.isEmpty() && context.getExecutionException().isEmpty()) {
            StringBuilder sb = new StringBuilder("jdbc-guard: this test made ").append(failing.size())
                    .append(" finding(s) at WARN or above (accept a known one with @AllowFinding):");
            for (Finding f : failing) {
                sb.append("\n  ").append(f.happened() ? "happened: " : "can happen: ").append(f.level()).append(' ')
                        .append(f.message());
            }
            throw new AssertionFailedError(sb.toString());
        }
    }

    private static boolean allowed(Finding f, ExtensionContext context) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            Optional<AnnotatedElement> e = c.get().getElement();
            if (e.isPresent()) {
                for (AllowFinding a : e.get().getAnnotationsByType(AllowFinding.class)) {
                    if (a.rule().equals(f.rule()) && (a.table().isEmpty() || a.table().equalsIgnoreCase(f.table()))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Writes the report when the run ends (JUnit closes the root store then: as an {@code AutoCloseable}
     * from 5.13, as a {@code CloseableResource} before); once.
     */
    @SuppressWarnings("deprecation")
    static final class ReportAtEnd implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private boolean written;

        @Override
        public synchronized void close() throws Exception {
            if (written) {
                return;
            }
            written = true;
            GuardStats.awaitFindings(SETTLE_MS);
            String dir = System.getProperty("jdbcguard.report.dir");
            Path target = dir != null ? Path.of(dir) : Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(".");
            FindingReport report = FindingCollector.INSTANCE.report;
            Path html = report.write(target);
            System.out.println("jdbc-guard: findings report " + html.toAbsolutePath() + " ("
                    + report.rows().size() + " place(s))");
        }
    }
}
