package io.jdbcguard.rules;

import static io.jdbcguard.rules.Patterns.columns;
import static io.jdbcguard.rules.Patterns.isolationText;
import static io.jdbcguard.rules.Patterns.sameTable;
import static io.jdbcguard.rules.Patterns.sameValue;
import static io.jdbcguard.rules.Patterns.sqlText;

import io.jdbcguard.Finding;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import io.jdbcguard.sql.Structure.Assignment;
import io.jdbcguard.sql.Structure.Equality;
import io.jdbcguard.sql.Structure.TableName;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code lost-update}: a non-locking read of one row by a unique key, then an UPDATE of a column it read,
 * by the same key, with an absolute value and no optimistic check. WARN; no finding where the read's key
 * turns out not to be unique.
 */
final class LostUpdateRule extends CompletingRule {

    private final Patterns patterns;

    LostUpdateRule(Patterns patterns, boolean strict) {
        super(RuleId.LOST_UPDATE, EnumSet.of(StatementKind.UPDATE), strict);
        this.patterns = patterns;
    }

    @Override
    boolean completes(SqlShape shape) {
        return shape.kind() == StatementKind.UPDATE && shape.structure() != null;
    }

    @Override
    Finding complete(ExecutionFact w) {
        Structure up = w.shape().structure();
        if (up.table() == null || up.keyEqualities().isEmpty() || up.assignments().isEmpty()) {
            return null;
        }
        ThreadMemory memory = patterns.memory.current();
        for (int age = 0; age < ThreadMemory.OPENERS; age++) {
            ThreadMemory.Opener o = memory.opener(age);
            if (o == null || o.check) {
                continue;
            }
            Structure rd = o.fact.shape().structure();
            if (!sameTable(rd.table(), up.table()) || !sameKey(o.fact, rd, w, up)) {
                continue;
            }
            Set<String> keyColumns = new LinkedHashSet<>(columns(rd.keyEqualities()));
            boolean all = rd.selectedColumns().contains("*");
            List<String> written = new ArrayList<>();
            for (Assignment a : up.assignments()) {
                if (!a.selfReferencing() && !keyColumns.contains(a.column())
                        && (all || rd.selectedColumns().contains(a.column()))) {
                    written.add(a.column());
                }
            }
            if (written.isEmpty() || optimistic(rd, up, keyColumns, all)) {
                continue;
            }
            Finding f = patterns.completed(memory, o, w, RuleId.LOST_UPDATE, written, List.copyOf(keyColumns),
                    (relation, writeSite, unique) -> finding(o, w, relation, written, writeSite, unique));
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** Whether the UPDATE's WHERE checks, besides the key, a column the read returned (optimistic locking). */
    private static boolean optimistic(Structure rd, Structure up, Set<String> keyColumns, boolean all) {
        for (Equality e : up.keyEqualities()) {
            if (!keyColumns.contains(e.column()) && (all || rd.selectedColumns().contains(e.column()))) {
                return true;
            }
        }
        for (String c : up.otherColumns()) {
            if (all || rd.selectedColumns().contains(c)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the UPDATE's WHERE fixes every key column of the read to the same value. */
    private static boolean sameKey(ExecutionFact read, Structure rd, ExecutionFact w, Structure up) {
        for (Equality e : rd.keyEqualities()) {
            Equality match = null;
            for (Equality u : up.keyEqualities()) {
                if (u.column().equals(e.column())) {
                    match = u;
                    break;
                }
            }
            if (match == null || !sameValue(read.slotValue(e.slot()), w.slotValue(match.slot()))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the UPDATE writes a number into the column: only then is {@code c = c + ?} advice. */
    private static boolean numericWrite(ExecutionFact w, String column) {
        for (Assignment a : w.shape().structure().assignments()) {
            if (a.column().equals(column)) {
                return a.slot() > 0 && w.slotValue(a.slot()) instanceof Number;
            }
        }
        return false;
    }

    /** @param unique whether a unique index lies within the read's key; {@code null}: not known */
    private static Finding finding(ThreadMemory.Opener o, ExecutionFact w, String relation, List<String> written,
                                   StackTraceElement writeSite, Boolean unique) {
        if (Boolean.FALSE.equals(unique)) {
            return null; // not a read of one row by a unique key
        }
        TableName t = w.shape().structure().table();
        List<String> key = columns(o.fact.shape().structure().keyEqualities());
        String cols = String.join(", ", written);
        String head = "[lost-update] " + t + "(" + cols + "): a SELECT at " + o.site + " read " + cols
                + " of one row by (" + String.join(", ", key) + "), then an UPDATE at " + writeSite
                + " wrote an absolute new value " + relation + isolationText(w.isolation()) + "; a concurrent"
                + " transaction can change the row in between and its change is silently overwritten.";
        String relative = numericWrite(w, written.get(0))
                ? " or update relatively (SET " + written.get(0) + " = " + written.get(0) + " + ?)," : "";
        String message = Patterns.fromJpa(o.fact) || Patterns.fromJpa(w)
                ? head + " Fix: add a @Version attribute to the entity (JPA optimistic locking: the UPDATE then"
                + " carries AND version = ?, and a concurrent change fails with OptimisticLockException instead of"
                + " being lost), or load it with @Lock(LockModeType.PESSIMISTIC_WRITE) in the transaction that"
                + " writes it," + relative + " and retry on conflict."
                : head + " Fix: read with SELECT … FOR UPDATE in the same transaction as the UPDATE," + relative
                + " or use optimistic locking (a version column: UPDATE … WHERE id = ? AND version = ?, retrying"
                + " when no row changed).";
        return Findings.of(RuleId.LOST_UPDATE, Finding.Level.WARN, message, t.toString(), written, o.site, writeSite,
                w.isolation(), sqlText(w), sqlText(o.fact));
    }
}
