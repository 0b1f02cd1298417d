package io.jdbcguard.rules;

import static io.jdbcguard.rules.Patterns.columns;
import static io.jdbcguard.rules.Patterns.sameTable;
import static io.jdbcguard.rules.Patterns.sqlText;

import io.jdbcguard.Finding;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.sql.InsertVariant;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import java.util.EnumSet;
import java.util.List;

/**
 * {@code gap-lock-insert} (MySQL/MariaDB at REPEATABLE READ): a locking read of T that found no row, then an
 * INSERT into T of that key in the same transaction. The read took a gap lock; gap locks do not conflict
 * with each other, so every concurrent caller takes the same one, and each INSERT then waits for the
 * others' gap locks: all but one die in a deadlock (1213). The fix the guard itself used to advise for a
 * check-then-insert, which is why this rule exists. WARN.
 */
final class GapLockInsertRule extends CompletingRule {

    private final Patterns patterns;

    GapLockInsertRule(Patterns patterns, boolean strict) {
        super(RuleId.GAP_LOCK_INSERT, EnumSet.of(StatementKind.INSERT), strict);
        this.patterns = patterns;
    }

    @Override
    boolean completes(SqlShape shape) {
        return shape.kind() == StatementKind.INSERT && shape.insertVariant() == InsertVariant.PLAIN
                && shape.structure() != null;
    }

    @Override
    Finding complete(ExecutionFact w) {
        Structure ins = w.shape().structure();
        if (ins.table() == null || ins.insertColumns().isEmpty() || w.isolation() != Isolation.REPEATABLE_READ
                || !w.connection().dialect().lockingReadLocksGap(w.isolation())) {
            return null;
        }
        ThreadMemory memory = patterns.memory.current();
        Finding refuse = null;
        for (int age = 0; age < ThreadMemory.OPENERS; age++) {
            ThreadMemory.Opener o = memory.opener(age);
            if (o == null || !o.check || !o.locking || CheckThenInsertRule.lockedNothing(o, w)) {
                continue;
            }
            Structure chk = o.fact.shape().structure();
            if (!sameTable(chk.table(), ins.table()) || !CheckThenInsertRule.keyInserted(o.fact, chk, w, ins)) {
                continue;
            }
            List<String> key = columns(chk.keyEqualities());
            Finding f = patterns.completed(memory, o, w, RuleId.GAP_LOCK_INSERT, key, key,
                    (relation, writeSite, unique) -> finding(o, w, key, writeSite, unique));
            if (refuse == null && f != null && f != Patterns.NO_FINDING) {
                refuse = f;
            }
        }
        return refuse;
    }

    private Finding finding(ThreadMemory.Opener o, ExecutionFact w, List<String> key,
                                   StackTraceElement writeSite, Boolean unique) {
        Structure.TableName t = w.shape().structure().table();
        String cols = String.join(", ", key);
        String lock = o.fact.shape().lock() == io.jdbcguard.sql.LockMode.FOR_UPDATE ? "FOR UPDATE" : "FOR SHARE";
        String message = "[gap-lock-insert] " + t + "(" + cols + "): a locking SELECT (" + lock + ") at " + o.site
                + " found no row, then an INSERT at " + patterns.writeSiteText(writeSite) + " added that key in the"
                + " same transaction under REPEATABLE_READ; the read locked the gap where the row would go, every"
                + " concurrent caller locks the same gap (gap locks do not exclude each other), and each INSERT then"
                + " waits for the others' gap locks: with two or more callers all but one die in a deadlock (1213)."
                + " Fix: " + (Boolean.FALSE.equals(unique) ? "add a UNIQUE index on (" + cols + "), then " : "")
                + "INSERT first and treat the duplicate-key error (" + w.connection().dialect().duplicateKeyError() + ") as \"already there\", reading"
                + " the row that won with a shared-lock read or in a new transaction; or use INSERT … ON DUPLICATE KEY"
                + " UPDATE; or keep the locking read and retry the whole unit of work on 1213 (io.jdbcguard.Retry"
                + " does).";
        return Findings.of(w.connection(), RuleId.GAP_LOCK_INSERT, Finding.Level.WARN, message, t.toString(), key, o.site, writeSite,
                w.isolation(), sqlText(w), sqlText(o.fact));
    }
}
