package io.jdbcguard.rules;

import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Mode;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import java.util.Set;

/**
 * A rule whose pattern a write completes ({@code check-then-insert}, {@code lost-update}). Only a write
 * that took effect completes one: one that succeeded, or an INSERT that failed with a duplicate key (the
 * race happened, and lost). A write that failed otherwise (a missing table, a syntax error) is no pattern.
 * So the rule reads the write after it ran; in strict mode, which refuses the write before it runs, an
 * instance of its own reads it before, and a write it refuses never runs at all.
 */
abstract class CompletingRule implements FactListener {

    private static final Set<StatementKind> NONE = Set.of();
    private static final Set<StatementKind> DUPLICATES = Set.of(StatementKind.INSERT);

    private final RuleId rule;
    private final Set<StatementKind> kinds;
    /** Whether this instance serves strict mode (before the write runs) or the others (after). */
    private final boolean strict;

    CompletingRule(RuleId rule, Set<StatementKind> kinds, boolean strict) {
        this.rule = rule;
        this.kinds = kinds;
        this.strict = strict;
    }

    /** Whether the write may complete this rule's pattern (cheap: by its shape). */
    abstract boolean completes(SqlShape shape);

    /** Matches the write against the thread's openers and reports; the finding strict mode refuses, or null. */
    abstract io.jdbcguard.Finding complete(ExecutionFact write);

    @Override
    public final boolean activeFor(GuardConfig config) {
        return config.enabled(rule) && (config.mode() == Mode.STRICT) == strict;
    }

    @Override
    public final Set<StatementKind> beforeKinds() {
        return strict ? kinds : NONE;
    }

    @Override
    public final boolean wantsBefore(SqlShape shape) {
        return strict && completes(shape);
    }

    @Override
    public final String beforeExecution(ExecutionFact w) throws UnsafePatternException {
        // The bus asks by kind; whether this instance serves the connection's mode is its own to check.
        if (strict && w.connection().config().mode() == Mode.STRICT && w.connection().config().enabled(rule)) {
            Patterns.refuseIfStrict(w, complete(w));
        }
        return null;
    }

    @Override
    public final Set<StatementKind> kinds() {
        return strict ? NONE : kinds;
    }

    @Override
    public final Set<StatementKind> failureKinds() {
        return strict ? NONE : DUPLICATES;
    }

    @Override
    public final void onExecution(ExecutionFact w) {
        if (!strict && completes(w.shape()) && tookEffect(w) && w.connection().config().enabled(rule)
                && w.connection().config().mode() != Mode.STRICT) {
            complete(w);
        }
    }

    /** Succeeded, or failed with a duplicate key. */
    static boolean tookEffect(ExecutionFact f) {
        Outcome o = f.outcome();
        return o.type() != Outcome.Type.FAILED || f.connection().dialect().duplicateKey(o.vendorCode(), o.sqlState());
    }
}
