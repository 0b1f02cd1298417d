package io.jdbcguard;

import io.jdbcguard.core.GuardCore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * A guard: its rules, the findings they make, its counters and threads. The driver owns one
 * ({@link #global()}): every {@code jdbc:guard:} connection, the agent's and the Spring Boot starter's
 * use it. Tests and add-ons may make their own and must {@link #close()} it; closing stops its threads,
 * unregisters its MBean and leaves nothing of it in the threads that ran statements.
 */
public final class Guard implements AutoCloseable {

    private final GuardCore core;

    /** A guard of its own, e.g. for a test that must not share findings or counts with others. */
    public Guard() {
        this(new GuardCore(false));
    }

    Guard(GuardCore core) {
        this.core = core;
    }

    /** The driver's guard. */
    public static Guard global() {
        return GuardDriver.instance().guard();
    }

    /** Opens a connection through this guard: the same URL and properties as {@link GuardDriver#connect}. */
    public Connection connect(String url, Properties info) throws SQLException {
        if (!io.jdbcguard.internal.GuardUrl.accepts(url)) {
            throw new SQLException("jdbc-guard: not a jdbc:guard: URL: " + io.jdbcguard.internal.GuardUrl.mask(url),
                    io.jdbcguard.internal.SqlStates.SQLSTATE_CONNECT);
        }
        return core.connect(url, info == null ? new Properties() : info);
    }

    /** Adds a listener of every finding occurrence of this guard; close the registration to remove it. */
    public JdbcGuard.Registration addFindingListener(FindingListener listener) {
        core.addFindingListener(listener);
        return () -> core.removeFindingListener(listener);
    }

    /** Waits until every finding made so far is delivered (see {@link GuardStats#awaitFindings}). */
    public boolean awaitFindings(long timeoutMillis) throws InterruptedException {
        return core.reporter().awaitPending(timeoutMillis);
    }

    /** Statements that passed through this guard's connections. */
    public long statements() {
        return core.counters().statements.sum();
    }

    /** Findings per rule id, every occurrence counted. */
    public Map<String, Long> findingsByRule() {
        return core.reporter().countsByRule();
    }

    /** Occurrences per place, keyed {@code rule|table|call sites}. */
    public Map<String, Long> findingsByPlace() {
        return core.reporter().countsByPlace();
    }

    /** Forgets what the calling thread did, so a new test does not complete an earlier test's check. */
    public void forgetCurrentThread() {
        core.rules().forgetCurrentThread();
    }

    /** Internal: the guard's parts, for its own modules and tests. Not API. */
    public GuardCore core() {
        return core;
    }

    @Override
    public void close() {
        core.close();
    }
}
