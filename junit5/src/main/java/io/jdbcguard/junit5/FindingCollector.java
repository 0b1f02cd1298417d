package io.jdbcguard.junit5;

import io.jdbcguard.Finding;
import io.jdbcguard.JdbcGuard;
import io.jdbcguard.report.FindingReport;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM's one listener for the extension: numbers every finding occurrence it receives, keeps the
 * most recent ones for the tests to claim, and feeds the run's report (naming the test that was running).
 */
final class FindingCollector {

    static final FindingCollector INSTANCE = new FindingCollector();
    /** Occurrences kept for claiming; a test that makes more than this many sees the most recent ones. */
    private static final int KEPT = 10_000;

    private final List<Finding> recent = new ArrayList<>();
    private long delivered;
    private volatile String currentTest = "(outside a test)";
    final FindingReport report = new FindingReport(f -> currentTest);

    private FindingCollector() {
        JdbcGuard.addFindingListener(this::onFinding);
        JdbcGuard.addFindingListener(report);
    }

    private synchronized void onFinding(Finding f) {
        delivered++;
        recent.add(f);
        if (recent.size() > KEPT) {
            recent.subList(0, recent.size() - KEPT).clear();
        }
    }

    /** Where a test starts: every occurrence delivered after this mark is the test's. */
    synchronized long mark(String test) {
        currentTest = test;
        return delivered;
    }

    /** The occurrences delivered after the mark. */
    synchronized List<Finding> since(long mark) {
        int n = (int) Math.min(recent.size(), delivered - mark);
        return new ArrayList<>(recent.subList(recent.size() - n, recent.size()));
    }
}
