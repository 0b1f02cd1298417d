package io.jdbcguard.core;

import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.internal.GuardLog;
import io.jdbcguard.internal.InternalErrors;
import io.jdbcguard.report.FindingReport;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * What an application gets from a guard at JVM shutdown: one summary line on logger {@code jdbcguard}
 * (statements seen, findings by rule) and, where a data source set {@code guard.report}, the report
 * files there. Installed with the guard's first data source, removed when the guard closes; never throws.
 */
final class ShutdownReport {

    private final GuardCore core;
    private Thread hook;
    private volatile FindingReport report;
    private volatile Path directory;

    ShutdownReport(GuardCore core) {
        this.core = core;
    }

    /** Called for each new data source: installs the hook once, and the report once a directory is set. */
    synchronized void install(GuardConfig config) {
        try {
            if (hook == null) {
                Thread t = new Thread(this::atShutdown, "jdbc-guard-shutdown");
                Runtime.getRuntime().addShutdownHook(t);
                hook = t;
            }
            if (report == null && !config.report().isEmpty()) {
                FindingReport r = new FindingReport(f -> "thread " + f.thread());
                core.reporter().addListener(r);
                directory = Path.of(config.report());
                report = r;
            }
        } catch (Throwable t) {
            InternalErrors.record("installing the shutdown report", t);
        }
    }

    /** Removes the hook (the guard closed before the JVM ends). */
    synchronized void remove() {
        try {
            if (hook != null) {
                Runtime.getRuntime().removeShutdownHook(hook);
                hook = null;
            }
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already going: the hook runs or ran.
        }
    }

    /** The summary line's text: statements seen, findings by rule. */
    String summary() {
        Map<String, Long> byRule = new TreeMap<>(core.reporter().countsByRule());
        byRule.values().removeIf(n -> n == 0);
        return "jdbc-guard summary: " + core.counters().statements.sum() + " statements seen, findings by rule "
                + (byRule.isEmpty() ? "none" : byRule.toString()) + ", " + InternalErrors.count() + " internal errors";
    }

    private void atShutdown() {
        try {
            core.reporter().awaitPending(2_000);
            GuardLog.log(LoggerFactory.getLogger("jdbcguard"), GuardLog.Level.INFO, summary(),
                    "statements", core.counters().statements.sum(), "findings", core.reporter().countsByRule().toString());
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
