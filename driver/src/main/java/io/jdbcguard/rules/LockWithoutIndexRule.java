package io.jdbcguard.rules;

import static io.jdbcguard.rules.Patterns.sqlText;

import io.jdbcguard.Finding;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.LockMode;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * {@code lock-without-index} (MySQL/MariaDB): a locking statement in a transaction (a locking read, an UPDATE, a
 * DELETE) whose WHERE no index of its table serves, none having its first column among the columns the WHERE
 * names. InnoDB locks every row it scans, so the whole table, and every concurrent writer of it waits for the
 * transaction or deadlocks with it. WARN.
 *
 * <p>Read after the statement ran, from the index catalogue's first columns, never awaited: a statement text
 * whose answer is known costs two map reads. Not reported: a statement without WHERE (it means every row), a
 * WHERE whose columns the guard cannot tell, statements of several tables. Where it ran: {@link LockingSites}.
 */
final class LockWithoutIndexRule implements FactListener {

    private static final Set<StatementKind> KINDS = EnumSet.of(StatementKind.SELECT, StatementKind.UPDATE,
            StatementKind.DELETE);
    private final Reporter reporter;
    private final LockingSites sites;

    LockWithoutIndexRule(Reporter reporter, LockingSites sites) {
        this.reporter = reporter;
        this.sites = sites;
    }

    @Override
    public Set<StatementKind> kinds() {
        return KINDS;
    }

    /** It reads statements in transactions only: under autocommit nothing is recorded for it. */
    @Override
    public boolean onlyInTransactions() {
        return true;
    }

    @Override
    public boolean activeFor(GuardConfig config) {
        return config.enabled(RuleId.LOCK_WITHOUT_INDEX);
    }

    @Override
    public void onExecution(ExecutionFact f) {
        if (!f.inTransaction() || !f.connection().dialect().locksScannedRows()) {
            return;
        }
        SqlShape shape = f.shape();
        if (shape.kind() == StatementKind.SELECT && shape.lock() == LockMode.NONE) {
            return;
        }
        Structure s = shape.structure();
        if (s == null || s.table() == null || s.keyEqualities().isEmpty() && s.otherColumns().isEmpty()) {
            return; // several tables, no WHERE (every row is meant), or a WHERE whose columns are not known
        }
        Outcome.Type outcome = f.outcome().type();
        if (outcome == Outcome.Type.FAILED || !f.connection().config().enabled(RuleId.LOCK_WITHOUT_INDEX)) {
            return;
        }
        IndexCatalog catalog = IndexCatalog.of(f.connection().dataSource());
        String schema = f.connection().currentSchema();
        Boolean served = catalog.served(shape.normalized(), s, schema);
        if (Boolean.TRUE.equals(served)) {
            return;
        }
        StackTraceElement site = sites.site(shape, f.connection().config());
        if (site == null) {
            return;
        }
        // The WHERE's columns are part of the place: one helper method can run a served and an unserved
        // statement, and the verdict of a place's first occurrence stands for all of them.
        Object place = List.of(s.table(), IndexCatalog.whereColumns(s), site);
        if (served != null) {
            reporter.occurred(RuleId.LOCK_WITHOUT_INDEX, place, () -> finding(f, catalog, schema, site));
        } else {
            // Not known yet (a table not read since it was created or altered): whether this is an occurrence at
            // all waits for the read, so that an index just added is not counted against its old place.
            CompletableFuture<?> indexes = catalog.lookup(s.table(), schema);
            String thread = Thread.currentThread().getName();
            long time = System.currentTimeMillis();
            reporter.whenReady(indexes, () -> {
                if (Boolean.FALSE.equals(catalog.served(shape.normalized(), s, schema))) {
                    reporter.occurred(RuleId.LOCK_WITHOUT_INDEX, place, () -> finding(f, catalog, schema, site),
                            thread, time);
                }
            });
        }
    }

    private static Finding finding(ExecutionFact f, IndexCatalog catalog, String schema, StackTraceElement site) {
        Structure s = f.shape().structure();
        List<String> where = IndexCatalog.whereColumns(s);
        Set<String> leading = catalog.leadingColumns(s.table(), schema);
        String t = s.table().toString();
        String what = f.kind() == StatementKind.SELECT
                ? (f.shape().lock() == LockMode.FOR_UPDATE ? "SELECT … FOR UPDATE" : "a shared-lock SELECT")
                : f.kind().name();
        String indexes = leading == null || leading.isEmpty() ? "it has no index at all"
                : "its indexes start with " + String.join(", ", new TreeSet<>(leading));
        boolean readCommitted = f.isolation() == Isolation.READ_COMMITTED || f.isolation() == Isolation.READ_UNCOMMITTED;
        String message = "[lock-without-index] " + t + "(" + String.join(", ", where) + "): " + what + " at " + site
                + " ran in a transaction" + Patterns.isolationText(f.isolation()) + " with a WHERE on "
                + String.join(", ", where) + ", which no index of " + t + " serves (" + indexes + "), so InnoDB scans"
                + " the whole table and "
                + (readCommitted ? "locks each row it reads, waiting for every row another transaction holds"
                        : "locks every row it scans, and the gaps between them, until the transaction ends")
                + "; every concurrent writer of " + t + " waits for this transaction or deadlocks with it. Fix: CREATE"
                + " INDEX ix_" + s.table().name() + "_" + where.get(0) + " ON " + t + " (" + String.join(", ", where)
                + "), or find the rows by their primary key first and lock them by it.";
        return Findings.of(f.connection(), RuleId.LOCK_WITHOUT_INDEX, Finding.Level.WARN, message, t, where, null, site, f.isolation(),
                sqlText(f), null);
    }
}
