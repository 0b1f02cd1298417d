package io.jdbcguard.rules;

import static io.jdbcguard.rules.Patterns.columns;
import static io.jdbcguard.rules.Patterns.isolationText;
import static io.jdbcguard.rules.Patterns.sameTable;
import static io.jdbcguard.rules.Patterns.sameValue;
import static io.jdbcguard.rules.Patterns.sqlText;

import io.jdbcguard.Finding;
import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.sql.InsertVariant;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import io.jdbcguard.sql.Structure.Equality;
import io.jdbcguard.sql.Structure.TableName;
import java.util.List;
import java.util.Set;

/**
 * {@code check-then-insert}: a check (a read by key that found no row) then an INSERT of that key.
 * ERROR without a unique index on the key (duplicate rows), WARN with one (duplicate-key errors).
 * Every check an INSERT completes is its own finding.
 */
final class CheckThenInsertRule implements FactListener {

    private final Patterns patterns;

    CheckThenInsertRule(Patterns patterns) {
        this.patterns = patterns;
    }

    @Override
    public boolean wantsBefore(SqlShape shape) {
        return shape.kind() == StatementKind.INSERT && shape.insertVariant() == InsertVariant.PLAIN
                && shape.structure() != null;
    }

    @Override
    public String beforeExecution(ExecutionFact w) throws UnsafePatternException {
        Structure ins = w.shape().structure();
        if (!w.connection().config().enabled(RuleId.CHECK_THEN_INSERT) || ins.table() == null
                || ins.insertColumns().isEmpty()) {
            return null;
        }
        ThreadMemory memory = patterns.memory.current();
        Finding refuse = null;
        for (int age = 0; age < ThreadMemory.OPENERS; age++) {
            ThreadMemory.Opener o = memory.opener(age);
            if (o == null || !o.check) {
                continue;
            }
            Structure chk = o.fact.shape().structure();
            if (!sameTable(chk.table(), ins.table()) || !keyInserted(o.fact, chk, w, ins)) {
                continue;
            }
            List<String> key = columns(chk.keyEqualities());
            Finding f = patterns.completed(memory, o, w, RuleId.CHECK_THEN_INSERT, key, key,
                    (relation, writeSite, unique) -> finding(o, w, relation, key, writeSite, unique));
            if (refuse == null && f != null && f != Patterns.NO_FINDING) {
                refuse = f;
            }
        }
        Patterns.refuseIfStrict(w, refuse);
        return null;
    }

    /** Whether some inserted row carries every key column of the check, with the same value where both are known. */
    private static boolean keyInserted(ExecutionFact check, Structure chk, ExecutionFact w, Structure ins) {
        List<String> cols = ins.insertColumns();
        for (Equality e : chk.keyEqualities()) {
            if (!cols.contains(e.column())) {
                return false;
            }
        }
        for (List<Integer> row : ins.insertRows()) {
            boolean all = true;
            for (Equality e : chk.keyEqualities()) {
                int i = cols.indexOf(e.column());
                if (i >= row.size() || !sameValue(check.slotValue(e.slot()), row.get(i) > 0 ? w.slotValue(row.get(i)) : null)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** @param unique whether a unique index lies within the key; {@code null}: not known (yet) */
    private static Finding finding(ThreadMemory.Opener o, ExecutionFact w, String relation, List<String> key,
                                   StackTraceElement writeSite, Boolean unique) {
        TableName t = w.shape().structure().table();
        String cols = String.join(", ", key);
        String head = "[check-then-insert] " + t + "(" + cols + "): " + checkWords(o.fact) + " at " + o.site
                + " found no row, then an INSERT at " + writeSite + " added it " + relation
                + isolationText(w.isolation()) + "; two concurrent callers can both pass the check and both insert";
        String message;
        Finding.Level level;
        if (Boolean.FALSE.equals(unique)) {
            level = Finding.Level.ERROR;
            message = head + ", and with no unique index on (" + cols + ") the table silently gains duplicate rows."
                    + " Fix: add a UNIQUE index on (" + cols + "), then INSERT first and treat the duplicate-key error"
                    + " (1062, SQLState 23000) as \"already there\", or use INSERT … ON DUPLICATE KEY UPDATE or"
                    + " INSERT IGNORE; or take the check as SELECT … FOR UPDATE in the same transaction as the INSERT.";
        } else {
            level = Finding.Level.WARN;
            message = head + ", so the loser gets a duplicate-key error (1062, SQLState 23000)"
                    + (unique == null ? " if a unique index covers (" + cols + ") (the guard could not read the indexes)"
                    : " from the unique index")
                    + (w.isolation() == Isolation.REPEATABLE_READ
                    ? ", and on REPEATABLE READ a re-SELECT in the same transaction still misses the winner's row" : "")
                    + ". Fix: INSERT first and treat the duplicate-key error as \"already there\", or use"
                    + " INSERT … ON DUPLICATE KEY UPDATE or INSERT IGNORE; or take the check as SELECT … FOR UPDATE"
                    + " in the same transaction as the INSERT.";
        }
        return Findings.of(RuleId.CHECK_THEN_INSERT, level, message, t.toString(), key, o.site, writeSite,
                w.isolation(), sqlText(w), sqlText(o.fact));
    }

    private static String checkWords(ExecutionFact check) {
        switch (check.shape().structure().form()) {
            case COUNT:
                return "a SELECT COUNT(…)";
            case EXISTS:
                return "a SELECT EXISTS(…)";
            default:
                return "a SELECT";
        }
    }
}
