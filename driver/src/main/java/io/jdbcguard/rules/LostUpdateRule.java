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
            if (sameTable(rd.table(), up.table()) && sameKey(o.fact, rd, w, up)) {
                List<String> key = columns(rd.keyEqualities());
                Finding f = readThenWrite(memory, o, w, rd.selectedColumns(), key, Set.of(), () -> "of one row by ("
                        + String.join(", ", key) + "), then an UPDATE at %s wrote it");
                if (f != null) {
                    return f;
                }
                continue;
            }
            // A row read as one of a root's collection (LEFT JOIN), then updated by its own key: the
            // collection's keys were not read, so the table and the columns decide.
            for (Structure.Collection c : rd.collections()) {
                // By one key column and nothing else: a further predicate (AND version = ?) checks what was read.
                // The link to the root (owner_id) is the relation, not the row's data: attaching a new child
                // (JPA's unidirectional one-to-many sets it by a second UPDATE) is no lost update.
                if (sameTable(c.table(), up.table()) && up.keyEqualities().size() == 1 && !up.otherPredicates()) {
                    List<String> key = columns(up.keyEqualities());
                    Finding f = readThenWrite(memory, o, w, c.selectedColumns(), key, c.linkColumns(), () -> "of "
                            + c.table() + " rows, the collection of one " + rd.table() + " row read by ("
                            + String.join(", ", columns(rd.keyEqualities())) + "), then an UPDATE at %s wrote one of"
                            + " them by (" + String.join(", ", key) + ")");
                    if (f != null) {
                        return f;
                    }
                }
            }
        }
        return null;
    }

    /**
     * The read returned {@code selected} of the row the UPDATE writes by {@code key}: a lost update when the
     * UPDATE writes one of them (but the links to a root, {@code links}) with an absolute value and checks
     * none (optimistic locking).
     */
    private Finding readThenWrite(ThreadMemory memory, ThreadMemory.Opener o, ExecutionFact w, List<String> selected,
                                  List<String> key, Set<String> links, java.util.function.Supplier<String> readWhat) {
        if (!w.connection().dialect().losesUpdatesAt(w.isolation())
                && "in the same transaction".equals(Patterns.relation(o, w))) {
            return null; // the second writer fails (PostgreSQL's 40001 at REPEATABLE READ and above): nothing is lost
        }
        Structure up = w.shape().structure();
        Set<String> keyColumns = new LinkedHashSet<>(key);
        boolean all = selected.contains("*");
        List<String> written = new ArrayList<>();
        for (Assignment a : up.assignments()) {
            if (!a.selfReferencing() && !keyColumns.contains(a.column()) && !links.contains(a.column())
                    && (all || selected.contains(a.column()))) {
                written.add(a.column());
            }
        }
        if (written.isEmpty() || optimistic(selected, up, keyColumns, all)) {
            return null;
        }
        Finding f = patterns.completed(memory, o, w, RuleId.LOST_UPDATE, written, List.copyOf(keyColumns),
                (relation, writeSite, unique) -> finding(o, w, relation, written, readWhat, writeSite, unique));
        return f;
    }

    /** Whether the UPDATE's WHERE checks, besides the key, a column the read returned (optimistic locking). */
    private static boolean optimistic(List<String> selected, Structure up, Set<String> keyColumns, boolean all) {
        for (Equality e : up.keyEqualities()) {
            if (!keyColumns.contains(e.column()) && (all || selected.contains(e.column()))) {
                return true;
            }
        }
        for (String c : up.otherColumns()) {
            if (all || selected.contains(c)) {
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
    private Finding finding(ThreadMemory.Opener o, ExecutionFact w, String relation, List<String> written,
                                   java.util.function.Supplier<String> readWhat, StackTraceElement writeSite,
                                   Boolean unique) {
        if (Boolean.FALSE.equals(unique)) {
            return null; // not a read of one row by a unique key
        }
        TableName t = w.shape().structure().table();
        String cols = String.join(", ", written);
        String head = "[lost-update] " + t + "(" + cols + "): a SELECT at " + o.site + " read " + cols
                + " " + readWhat.get().replace("%s", patterns.writeSiteText(writeSite)) + " with an absolute new value " + relation + isolationText(w.isolation()) + "; a concurrent"
                + " transaction can change the row in between and its change is silently overwritten.";
        String relative = numericWrite(w, written.get(0))
                ? " or update relatively (SET " + written.get(0) + " = " + written.get(0) + " + ?)," : "";
        String message = Patterns.fromJpa(o.fact) || Patterns.fromJpa(w)
                ? head + " Fix: add a @Version attribute to the entity (JPA optimistic locking: the UPDATE then"
                + " carries AND version = ?, and a concurrent change fails with OptimisticLockException instead of"
                + " being lost), or load it with @Lock(LockModeType.PESSIMISTIC_WRITE) in the transaction that"
                + " writes it," + relative + " and retry on conflict."
                : head + " Fix: " + w.connection().dialect().lockedReadAdvice() + "," + relative
                + " or use optimistic locking (a version column: UPDATE … WHERE id = ? AND version = ?, retrying"
                + " when no row changed).";
        return Findings.of(w.connection(), RuleId.LOST_UPDATE, Finding.Level.WARN, message, t.toString(), written, o.site, writeSite,
                w.isolation(), sqlText(w), sqlText(o.fact));
    }
}
