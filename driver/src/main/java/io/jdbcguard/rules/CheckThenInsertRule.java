package io.jdbcguard.rules;

import static io.jdbcguard.rules.Patterns.columns;
import static io.jdbcguard.rules.Patterns.isolationText;
import static io.jdbcguard.rules.Patterns.sameTable;
import static io.jdbcguard.rules.Patterns.sameValue;
import static io.jdbcguard.rules.Patterns.sqlText;

import io.jdbcguard.Finding;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.sql.InsertVariant;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import io.jdbcguard.sql.Structure.Assignment;
import io.jdbcguard.sql.Structure.Equality;
import io.jdbcguard.sql.Structure.TableName;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code check-then-insert}: a check (a read by key that found no row) then an INSERT of that key.
 * ERROR without a unique index on the key (duplicate rows), WARN with one (duplicate-key errors).
 * Every check an INSERT completes is its own finding.
 */
final class CheckThenInsertRule extends CompletingRule {

    private final Patterns patterns;

    CheckThenInsertRule(Patterns patterns, boolean strict) {
        super(RuleId.CHECK_THEN_INSERT, EnumSet.of(StatementKind.INSERT, StatementKind.UPDATE), strict);
        this.patterns = patterns;
    }

    @Override
    boolean completes(SqlShape shape) {
        return shape.structure() != null && (shape.kind() == StatementKind.INSERT
                && shape.insertVariant() == InsertVariant.PLAIN || shape.kind() == StatementKind.UPDATE);
    }

    @Override
    Finding complete(ExecutionFact w) {
        if (w.kind() == StatementKind.UPDATE) {
            return foreignKeySet(w);
        }
        Structure ins = w.shape().structure();
        if (ins.table() == null || ins.insertColumns().isEmpty()) {
            return null;
        }
        ThreadMemory memory = patterns.memory.current();
        Finding refuse = null;
        for (int age = 0; age < ThreadMemory.OPENERS; age++) {
            ThreadMemory.Opener o = memory.opener(age);
            if (o == null || !o.check || o.locking && !lockedNothing(o, w)) {
                continue;
            }
            Structure chk = o.fact.shape().structure();
            if (!sameTable(chk.table(), ins.table())) {
                continue;
            }
            if (!keyInserted(o.fact, chk, w, ins)) {
                List<String> missing = missingKey(o.fact, chk, w, ins);
                if (missing != null && w.inTransaction()) {
                    memory.addPartial(new ThreadMemory.PartialInsert(o, w, missing));
                }
                continue;
            }
            List<String> key = columns(chk.keyEqualities());
            Finding f = patterns.completed(memory, o, w, RuleId.CHECK_THEN_INSERT, key, protectedBy(o.fact, chk, w, ins),
                    (relation, writeSite, unique) -> finding(o, w, relation, key, writeSite, unique));
            if (refuse == null && f != null && f != Patterns.NO_FINDING) {
                refuse = f;
            }
        }
        return refuse;
    }

    /**
     * JPA's unidirectional one-to-many writes a child as {@code INSERT} without the parent key, then
     * {@code UPDATE T SET fk = ? WHERE id = ?} in the same transaction: together one insert that includes
     * {@code fk}. Completes a check whose key the INSERT left out exactly these columns of, with the same
     * values where known.
     */
    private Finding foreignKeySet(ExecutionFact up) {
        ThreadMemory memory = patterns.memory.current();
        Structure u = up.shape().structure();
        if (memory.partialCount == 0 || u.table() == null || u.keyEqualities().size() != 1 || u.otherPredicates()) {
            return null;
        }
        Finding refuse = null;
        for (int i = 0; i < memory.partials.length; i++) {
            ThreadMemory.PartialInsert p = memory.partials[i];
            if (p == null) {
                continue;
            }
            ExecutionFact ins = p.insert;
            if (ins.connection().id() != up.connection().id() || ins.transactionId() != up.transactionId()) {
                memory.removePartial(i); // its transaction is over
                continue;
            }
            if (!sameTable(ins.shape().structure().table(), u.table()) || !setsKey(p, up, u)) {
                continue;
            }
            memory.removePartial(i);
            Structure chk = p.check.fact.shape().structure();
            List<String> key = columns(chk.keyEqualities());
            Finding f = patterns.completed(memory, p.check, ins, RuleId.CHECK_THEN_INSERT, key, key,
                    (relation, writeSite, unique) -> finding(p.check, ins, relation, key, writeSite, unique));
            if (refuse == null && f != null && f != Patterns.NO_FINDING) {
                refuse = f;
            }
        }
        return refuse;
    }

    /** Whether the UPDATE sets every column the INSERT left out, to the check's value where both are known. */
    private static boolean setsKey(ThreadMemory.PartialInsert p, ExecutionFact up, Structure u) {
        Structure chk = p.check.fact.shape().structure();
        for (String col : p.missing) {
            Assignment set = null;
            for (Assignment a : u.assignments()) {
                if (a.column().equals(col)) {
                    set = a;
                }
            }
            Equality e = null;
            for (Equality q : chk.keyEqualities()) {
                if (q.column().equals(col)) {
                    e = q;
                }
            }
            if (set == null || e == null
                    || !sameValue(p.check.fact.slotValue(e.slot()), set.slot() > 0 ? up.slotValue(set.slot()) : null)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The check's key columns an INSERT left out, when every key column it does name has the check's
     * value; {@code null} when it names none of them, or another value.
     */
    private static List<String> missingKey(ExecutionFact check, Structure chk, ExecutionFact w, Structure ins) {
        List<String> cols = ins.insertColumns();
        List<String> missing = new java.util.ArrayList<>();
        boolean named = false;
        for (Equality e : chk.keyEqualities()) {
            int i = cols.indexOf(e.column());
            if (i < 0) {
                missing.add(e.column());
                continue;
            }
            named = true;
            for (List<Integer> row : ins.insertRows()) {
                if (i >= row.size() || !sameValue(check.slotValue(e.slot()), row.get(i) > 0 ? w.slotValue(row.get(i)) : null)) {
                    return null;
                }
            }
        }
        return named && !missing.isEmpty() && ins.insertRows().size() == 1 ? List.copyOf(missing) : null;
    }

    /** Whether some inserted row carries every key column of the check, with the same value where both are known. */
    /**
     * Whether a locking check that found no row serialized nothing: its lock ended with its transaction
     * before the INSERT's, or it ran at READ COMMITTED (or below), where a locking read that finds no row
     * locks no gap. (In the INSERT's transaction at REPEATABLE READ it is {@code gap-lock-insert}'s.)
     */
    static boolean lockedNothing(ThreadMemory.Opener o, ExecutionFact w) {
        return !"in the same transaction".equals(Patterns.relation(o, w))
                || !w.connection().dialect().lockingReadLocksGap(w.isolation());
    }

    /**
     * The columns a unique index may consist of and still protect the pattern: those the check fixed, and
     * those the INSERT writes in every row with a constant or a value the check fixed (a derived column,
     * such as a tenant key written twice: {@code tenant_id} checked, {@code tenant_constraint} unique).
     */
    static List<String> protectedBy(ExecutionFact check, Structure chk, ExecutionFact w, Structure ins) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>(columns(chk.keyEqualities()));
        List<String> cols = ins.insertColumns();
        for (int i = 0; i < cols.size(); i++) {
            if (out.contains(cols.get(i)) || ins.insertRows().isEmpty()) {
                continue;
            }
            boolean every = true;
            for (List<Integer> row : ins.insertRows()) {
                int slot = i < row.size() ? row.get(i) : 0;
                every = slot > 0 && (w.shape().slotParamIndex(slot) == 0 || fixedByCheck(check, chk, w.slotValue(slot)));
                if (!every) {
                    break;
                }
            }
            if (every) {
                out.add(cols.get(i));
            }
        }
        return List.copyOf(out);
    }

    private static boolean fixedByCheck(ExecutionFact check, Structure chk, Object value) {
        if (value == null) {
            return false;
        }
        for (Equality e : chk.keyEqualities()) {
            Object fixed = check.slotValue(e.slot());
            if (fixed != null && sameValue(fixed, value)) {
                return true;
            }
        }
        return false;
    }

    static boolean keyInserted(ExecutionFact check, Structure chk, ExecutionFact w, Structure ins) {
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
    private Finding finding(ThreadMemory.Opener o, ExecutionFact w, String relation, List<String> key,
                                   StackTraceElement writeSite, Boolean unique) {
        TableName t = w.shape().structure().table();
        String cols = String.join(", ", key);
        String head = "[check-then-insert] " + t + "(" + cols + "): " + checkWords(o.fact) + " at " + o.site
                + " found no row, then an INSERT at " + patterns.writeSiteText(writeSite) + " added it " + relation
                + isolationText(w.isolation()) + "; two concurrent callers can both pass the check and both insert";
        boolean jpa = Patterns.fromJpa(o.fact) || Patterns.fromJpa(w);
        String message;
        Finding.Level level;
        io.jdbcguard.dialect.Dialect dialect = w.connection().dialect();
        if (Boolean.FALSE.equals(unique)) {
            level = Finding.Level.ERROR;
            message = head + ", and with no unique index on (" + cols + ") the table silently gains duplicate rows."
                    + " Fix: add a UNIQUE index on (" + cols + "), then " + (jpa
                    ? "save and treat the duplicate-key error (Spring's DataIntegrityViolationException, "
                    + dialect.duplicateKeyError() + ") as \"already there\" and load the row that won in a new transaction."
                    + dialect.lockingCheckAdvice(true)
                    : "INSERT first and treat the duplicate-key error (" + dialect.duplicateKeyError() + ") as \"already"
                    + " there\", or use " + dialect.upsertForms() + "." + dialect.lockingCheckAdvice(false));
        } else {
            level = Finding.Level.WARN;
            message = head + ", so the loser gets a duplicate-key error (" + dialect.duplicateKeyError() + ")"
                    + (unique == null ? " if a unique index covers (" + cols + ") (the guard could not read the indexes)"
                    : " from the unique index")
                    + dialect.afterDuplicate(w.isolation())
                    + (jpa ? ". Fix: save first and treat the duplicate-key error (Spring's"
                    + " DataIntegrityViolationException) as \"already there\", loading the row that won in a new"
                    + " transaction." + dialect.lockingCheckAdvice(true)
                    : ". Fix: INSERT first and treat the duplicate-key error as \"already there\", or use"
                    + " " + dialect.upsertForms() + "." + dialect.lockingCheckAdvice(false));
        }
        return Findings.of(w.connection(), RuleId.CHECK_THEN_INSERT, level, message, t.toString(), key, o.site, writeSite,
                w.isolation(), sqlText(w), sqlText(o.fact));
    }

    private static String checkWords(ExecutionFact check) {
        if (check.shape().lock() != io.jdbcguard.sql.LockMode.NONE) {
            return "a locking SELECT (" + (check.shape().lock() == io.jdbcguard.sql.LockMode.FOR_UPDATE ? "FOR UPDATE"
                    : "FOR SHARE") + ", which locks nothing where it finds no row at READ COMMITTED, and no longer"
                    + " once its transaction ended)";
        }
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
