package io.jdbcguard.rules;

import io.jdbcguard.Finding;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ConnectionInfo;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.internal.GuardLog;
import io.jdbcguard.sql.SqlShapes;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * {@code deadlock}: the server chose this transaction as a deadlock victim (1213; SQLState {@code 40P01}). The
 * finding names the victim's statement and site, and the other transaction's statement as the server reported
 * it: InnoDB's latest detected deadlock, read on the guard's own connection (it needs the {@code PROCESS}
 * privilege; without it the guard says so once and reports the victim alone), or the error's own detail where
 * the server puts it there. The other statement is placed where the guard saw that text run
 * ({@link LockingSites}). The application gets the server's exception as it was; everything past capturing the
 * victim's site runs on the guard's threads. WARN.
 */
final class DeadlockRule implements FactListener {

    private static final Set<StatementKind> FAILURES = EnumSet.of(StatementKind.SELECT, StatementKind.INSERT,
            StatementKind.UPDATE, StatementKind.DELETE);
    /** How long the guard waits for the other side's statement to complete, and so be placed. */
    static final long PLACE_WAIT_MS = 1_000;

    private final Reporter reporter;
    private final LockingSites sites;

    DeadlockRule(Reporter reporter, LockingSites sites) {
        this.reporter = reporter;
        this.sites = sites;
    }

    /**
     * Per data source: whether reading InnoDB's status was refused (then the victim is reported alone), and
     * whether a read is under way: one at a time, so a storm of deadlocks costs one of the guard's threads, not
     * one each.
     */
    static final class StatusAccess {
        final AtomicBoolean refused = new AtomicBoolean();
        final AtomicBoolean reading = new AtomicBoolean();
        /** The place each victim (table and site) was last reported at: where a deadlock in a storm counts. */
        final java.util.Map<Object, Object> lastPlace = new java.util.concurrent.ConcurrentHashMap<>();

        StatusAccess(ConnectionInfo.DataSourceInfo ds) {
        }
    }

    @Override
    public Set<StatementKind> failureKinds() {
        return FAILURES;
    }

    @Override
    public boolean activeFor(GuardConfig config) {
        return config.enabled(RuleId.DEADLOCK);
    }

    @Override
    public void onExecution(ExecutionFact f) {
        Outcome o = f.outcome();
        if (o.type() != Outcome.Type.FAILED || !f.connection().dialect().deadlock(o.vendorCode(), o.sqlState())
                || !f.connection().config().enabled(RuleId.DEADLOCK)) {
            return;
        }
        StackTraceElement site = CallSites.capture(f.connection().config().appPackages());
        String thread = Thread.currentThread().getName();
        long time = System.currentTimeMillis();
        String detail = o.error() == null ? null : o.error().getMessage();
        ConnectionInfo.DataSourceInfo ds = f.connection().dataSource();
        StatusAccess access = ds.state(StatusAccess.class, StatusAccess::new);
        Structure s = f.shape().structure();
        Object victim = java.util.Arrays.asList(s == null ? null : s.table(), site);
        if (!access.reading.compareAndSet(false, true)) {
            // Another deadlock is being read: this one counts at its victim's last place, or, a victim not seen
            // before, is reported alone, here (a deadlock cost the application far more than this already).
            Object last = access.lastPlace.get(victim);
            if (last == null || reporter.occurred(RuleId.DEADLOCK, last, () -> null) == null) {
                report(f, site, null, new StackTraceElement[0], detail, thread, time, access, victim);
            }
            return;
        }
        reporter.later(ds.runtime().threads(), () -> {
            try {
                String other = ds.dialect().deadlockReportQuery() != null ? otherFromReport(ds, f, access) : null;
                StackTraceElement[] otherPlaces = other == null ? new StackTraceElement[0]
                        : placesOf(SqlShapes.of(other, ds.dialect().syntax()).normalized());
                report(f, site, other, otherPlaces, detail, thread, time, access, victim);
            } finally {
                access.reading.set(false);
            }
        });
    }

    /**
     * The other statement of the server's latest deadlock report (InnoDB's latest detected deadlock), if that
     * deadlock is this one; {@code null} if not known.
     */
    private static String otherFromReport(ConnectionInfo.DataSourceInfo ds, ExecutionFact f, StatusAccess access) {
        if (access.refused.get()) {
            return null;
        }
        String status;
        try (Connection c = ds.openOwn(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(ds.dialect().deadlockReportQuery())) {
            status = rs.next() ? rs.getString(3) : null;
        } catch (SQLException e) {
            if (access.refused.compareAndSet(false, true)) {
                GuardLog.log(LoggerFactory.getLogger("jdbcguard"), GuardLog.Level.INFO, "jdbc-guard: cannot read"
                        + " InnoDB's latest detected deadlock on " + ds.maskedUrl() + " (" + e.getMessage() + "; it needs"
                        + " the PROCESS privilege), so deadlock findings name the victim's side alone");
            }
            return null;
        }
        io.jdbcguard.sql.Syntax syntax = ds.dialect().syntax();
        return ds.dialect().otherDeadlockStatement(status,
                sql -> SqlShapes.of(sql, syntax).normalized().equals(f.shape().normalized()));
    }

    /** Where the guard saw the other statement's text run; waits a little for the statement that was waiting. */
    private StackTraceElement[] placesOf(String normalized) {
        long deadline = System.currentTimeMillis() + PLACE_WAIT_MS;
        StackTraceElement[] known = sites.placesOf(normalized);
        while (known.length == 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            known = sites.placesOf(normalized);
        }
        return known;
    }

    private void report(ExecutionFact f, StackTraceElement site, String other, StackTraceElement[] otherPlaces,
                        String detail, String thread, long time, StatusAccess access, Object victim) {
        Structure s = f.shape().structure();
        String table = s == null || s.table() == null ? null : s.table().toString();
        List<String> columns = s == null ? List.of() : Patterns.columns(s.keyEqualities());
        StackTraceElement otherSite = otherPlaces.length == 1 ? otherPlaces[0] : null;
        boolean logValues = f.connection().config().logValues();
        String otherText = other == null ? null : logValues ? other
                : SqlShapes.of(other, f.connection().dialect().syntax()).normalized();
        String where = otherPlaces.length == 0 ? "a place the guard has not seen run it"
                : otherPlaces.length == 1 ? String.valueOf(otherSite)
                : "one of " + String.join(", ", java.util.Arrays.stream(otherPlaces).map(String::valueOf).toList());
        String otherSide = other != null
                ? "the other transaction was running " + otherText + " (at " + where + "), as InnoDB's latest detected"
                        + " deadlock reports it"
                : f.connection().dialect().deadlockReportQuery() != null
                        ? "the other transaction is not known (InnoDB's latest detected deadlock could not be read or is"
                                + " another one)"
                        : "the server says: " + detailOf(detail);
        String message = "[deadlock] " + (table == null ? "" : table + ": ") + "the server chose this transaction as"
                + " a deadlock victim and rolled it back, at " + Patterns.sqlText(f) + " at " + site + "; " + otherSide
                + ". Each held a lock the other waited for. Fix: take the locks in one order in every transaction (the"
                + " same tables in the same order, rows by ascending key), keep transactions short, and retry the whole"
                + " unit of work on the deadlock (io.jdbcguard.Retry does); the application got the server's exception"
                + " as it was.";
        Object place = java.util.Arrays.asList(table, site, otherSite);
        if (access.lastPlace.size() < 1024) {
            access.lastPlace.put(victim, place);
        }
        reporter.occurred(RuleId.DEADLOCK, place, () -> Findings.of(f.connection(), RuleId.DEADLOCK, Finding.Level.WARN, message,
                table, columns, otherSite, site, f.isolation(), Patterns.sqlText(f), otherText), thread, time);
    }

    /**
     * The detail of a PostgreSQL error message ({@code Detail: Process 1 waits for ShareLock on transaction 2;
     * blocked by process 3. …}: process and transaction ids, no values of the application's), on one line.
     */
    static String detailOf(String message) {
        if (message == null) {
            return "deadlock detected";
        }
        int at = message.indexOf("Detail:");
        if (at < 0) {
            return message.lines().findFirst().orElse(message);
        }
        int end = message.indexOf("Hint:", at);
        return message.substring(at + 7, end < 0 ? message.length() : end).replaceAll("\\s+", " ").strip();
    }
}
