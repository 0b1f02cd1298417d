package io.jdbcguard.rules;

import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.sql.LockMode;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import java.util.EnumSet;
import java.util.Set;

/**
 * Remembers, after each statement, what can open a pattern (a check that found no row, a read that found
 * its row) with its call site, and whether the transaction held an exclusive lock (a session lock is the
 * connection's: {@link io.jdbcguard.fact.ConnectionInfo#sessionLocked()}); forgets a table's unique
 * indexes after DDL on it.
 */
final class PatternRecorder implements FactListener {

    private static final Set<StatementKind> KINDS = EnumSet.of(StatementKind.SELECT);

    private final PatternMemory memory;
    private final CallSiteSampler sites;

    PatternRecorder(PatternMemory memory, CallSiteSampler sites) {
        this.memory = memory;
        this.sites = sites;
    }

    @Override
    public Set<StatementKind> kinds() {
        return KINDS;
    }

    /** Off on a connection where both rules that start from its openers are disabled. */
    @Override
    public boolean activeFor(GuardConfig config) {
        return config.enabled(RuleId.CHECK_THEN_INSERT) || config.enabled(RuleId.LOST_UPDATE)
                || config.enabled(RuleId.GAP_LOCK_INSERT);
    }

    @Override
    public void onExecution(ExecutionFact f) {
        ThreadMemory m = memory.current();
        long conn = f.connection().id();
        SqlShape shape = f.shape();
        boolean heldBefore = f.inTransaction() && m.exclusiveLocked(conn, f.transactionId());
        boolean foundRow = f.outcome().type() == Outcome.Type.ROWS && f.outcome().rowFound();
        if (shape.lock() == LockMode.FOR_UPDATE && f.inTransaction() && foundRow) {
            m.exclusiveLock(conn, f.transactionId()); // a row locked: later checks of this transaction are serialized
        }
        Structure s = shape.structure();
        if (s == null || s.table() == null || s.keyEqualities().isEmpty() || f.outcome().type() != Outcome.Type.ROWS) {
            return;
        }
        // A locking read that found its row is no start of a race; one that found none locks a gap at most (a
        // check for check-then-insert where that locks nothing, for gap-lock-insert where it does).
        boolean locking = shape.lock() != LockMode.NONE;
        if (locking && (s.form() != io.jdbcguard.sql.Structure.SelectForm.ROWS || f.outcome().rowFound())) {
            return;
        }
        boolean check;
        switch (s.form()) {
            case ROWS:
                check = !f.outcome().rowFound();
                if (!check && s.selectedColumns().isEmpty() && s.collections().isEmpty()) {
                    return; // read nothing it could write back
                }
                break;
            case COUNT:
            case EXISTS:
                if (f.outcome().firstValue() == null || f.outcome().firstValue() != 0L) {
                    return;
                }
                check = true;
                break;
            default:
                return;
        }
        GuardConfig config = f.connection().config();
        if (check ? !config.enabled(RuleId.CHECK_THEN_INSERT) && !(locking && config.enabled(RuleId.GAP_LOCK_INSERT))
                : !config.enabled(RuleId.LOST_UPDATE)) {
            return;
        }
        StackTraceElement site = sites.standIn(shape, config, check);
        boolean walked = site == null;
        if (walked) {
            site = sites.walkOpener(shape, config);
        }
        m.add(new ThreadMemory.Opener(f, site, walked, check, heldBefore, f.connection().sessionLocked(), locking));
    }
}
