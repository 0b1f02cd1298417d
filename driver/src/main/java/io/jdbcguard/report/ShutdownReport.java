package io.jdbcguard.report;

import io.jdbcguard.GuardStats;
import io.jdbcguard.JdbcGuard;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.internal.GuardLog;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * What an application gets at JVM shutdown: one summary line on logger {@code jdbcguard} (statements
 * seen, findings by rule) and, where a data source set {@code guard.report}, the report files there.
 * Installed with the first guarded data source; never throws.
 */
public final class ShutdownReport {

    private static volatile Thread hook;
    private static volatile FindingReport report;
    private static volatile Path directory;

    private ShutdownReport() {
    }

    /** Called for each new data source: installs the hook once, and the report once a directory is set. */
    public static synchronized void install(GuardConfig config) {
        try {
            if (hook == null) {
                Thread t = new Thread(ShutdownReport::atShutdown, "jdbc-guard-shutdown");
                Runtime.getRuntime().addShutdownHook(t);
                hook = t;
            }
            if (report == null && !config.report().isEmpty()) {
                FindingReport r = new FindingReport(f -> "thread " + f.thread());
                JdbcGuard.addFindingListener(r);
                directory = Path.of(config.report());
                report = r;
            }
        } catch (Throwable t) {
            io.jdbcguard.internal.InternalErrors.record("installing the shutdown report", t);
        }
    }

    /** The summary line's text: statements seen, findings by rule. */
    static String summary() {
        Map<String, Long> byRule = new TreeMap<>(GuardStats.findingsByRule());
        byRule.values().removeIf(n -> n == 0);
        return "jdbc-guard summary: " + GuardStats.statements() + " statements seen, findings by rule "
                + (byRule.isEmpty() ? "none" : byRule.toString()) + ", " + GuardStats.internalErrors()
                + " internal errors";
    }

    private static void atShutdown() {
        try {
            GuardStats.awaitFindings(2_000);
            GuardLog.log(LoggerFactory.getLogger("jdbcguard"), GuardLog.Level.INFO, summary(),
                    "statements", GuardStats.statements(), "findings", GuardStats.findingsByRule().toString());
            FindingReport r = report;
            if (r != null) {
                Path html = r.write(directory);
                GuardLog.log(LoggerFactory.getLogger("jdbcguard"), GuardLog.Level.INFO,
                        "jdbc-guard report written to " + html.toAbsolutePath());
            }
        } catch (Throwable t) {
            // At shutdown nothing is left to tell: the JVM is going.
        }
    }
}
