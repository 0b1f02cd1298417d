package io.jdbcguard.rules;

import io.jdbcguard.Finding;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Recovery;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.dialect.Dialect;
import io.jdbcguard.fact.ConnectionInfo;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.sql.InsertVariant;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import java.util.List;
import java.util.Set;

/**
 * {@code duplicate-aborts-transaction} and its repair, where a duplicate key aborts the transaction
 * (PostgreSQL: every later statement fails with 25P02 until a rollback), so a get-or-create's fallback read
 * cannot run. With {@code guard.recovery=fresh-read}, at READ COMMITTED, an INSERT that completes a check
 * (an earlier read of the table by key that found no row, whose key the INSERT writes) on a table with a
 * unique key it can violate runs inside a savepoint of the guard's: released when it succeeds, rolled back
 * to on a duplicate key, which the application gets exactly as the driver threw it; the transaction stays
 * usable and the fallback read sees the winner's row. Nothing else is wrapped. A duplicate key in a
 * transaction that was not repaired (no check seen, recovery off, REPEATABLE READ or SERIALIZABLE, where only
 * a retry of the whole transaction helps) is a WARN; a repaired one INFO.
 */
final class DuplicateAbortsRule implements FactListener {

    private static final Set<StatementKind> INSERTS = Set.of(StatementKind.INSERT);

    private final PatternMemory memory;
    private final Reporter reporter;
    /** Whether a connection of a database where a duplicate aborts the transaction opened: until then no INSERT is shown to this rule. */
    private volatile boolean seen;

    DuplicateAbortsRule(PatternMemory memory, Reporter reporter) {
        this.memory = memory;
        this.reporter = reporter;
    }

    @Override
    public boolean activeFor(GuardConfig config) {
        return config.enabled(RuleId.DUPLICATE_ABORTS_TRANSACTION);
    }

    @Override
    public void onConnectionOpened(ConnectionInfo c) {
        if (!seen && c.dialect().duplicateAbortsTransaction()) {
            seen = true;
        }
    }

    @Override
    public Set<StatementKind> beforeKinds() {
        return INSERTS;
    }

    @Override
    public boolean wantsBefore(SqlShape shape) {
        return seen && shape.kind() == StatementKind.INSERT;
    }

    @Override
    public Set<StatementKind> failureKinds() {
        return INSERTS;
    }

    @Override
    public String beforeExecution(ExecutionFact planned) {
        ConnectionInfo c = planned.connection();
        if (!c.dialect().duplicateAbortsTransaction() || !planned.inTransaction()) {
            return null;
        }
        ThreadMemory m = memory.current();
        m.savepointed = null;
        if (planned.batchIndex() >= 0 // a batch runs its entries as written
                || !c.config().enabled(RuleId.DUPLICATE_ABORTS_TRANSACTION) || c.config().recovery() != Recovery.FRESH_READ
                || !repairable(c.dialect(), planned.isolation()) || completedCheck(m, planned) == null) {
            return null;
        }
        Structure ins = planned.shape().structure();
        if (Boolean.FALSE.equals(IndexCatalog.of(c.dataSource()).uniqueWithin(ins.table(), c.currentSchema(),
                ins.insertColumns()))) {
            return null; // no unique key the INSERT writes whole: no duplicate key to repair (while unknown: wrapped)
        }
        m.savepointed = planned;
        return IN_SAVEPOINT;
    }

    /** Where a fresh read after rolling back to a savepoint sees the winner: READ COMMITTED (and below). */
    private static boolean repairable(Dialect d, Isolation iso) {
        Isolation level = iso == null ? d.defaultIsolation() : iso;
        return level == Isolation.READ_COMMITTED || level == Isolation.READ_UNCOMMITTED;
    }

    /** The check this INSERT completes (a read of its table that found no row, whose key it writes), or null. */
    private static ThreadMemory.Opener completedCheck(ThreadMemory m, ExecutionFact w) {
        SqlShape shape = w.shape();
        Structure ins = shape.structure();
        if (shape.insertVariant() != InsertVariant.PLAIN || ins == null || ins.table() == null
                || ins.insertColumns().isEmpty()) {
            return null;
        }
        for (int age = 0; age < ThreadMemory.OPENERS; age++) {
            ThreadMemory.Opener o = m.opener(age);
            if (o != null && o.check && Patterns.sameTable(o.fact.shape().structure().table(), ins.table())
                    && Patterns.relation(o, w) != null
                    && CheckThenInsertRule.keyInserted(o.fact, o.fact.shape().structure(), w, ins)) {
                return o;
            }
        }
        return null;
    }

    @Override
    public void onExecution(ExecutionFact f) {
        Outcome o = f.outcome();
        Dialect d = f.connection().dialect();
        if (o.type() != Outcome.Type.FAILED || !d.duplicateAbortsTransaction() || !d.duplicateKey(o.vendorCode(), o.sqlState())
                || !f.inTransaction() || !f.connection().config().enabled(RuleId.DUPLICATE_ABORTS_TRANSACTION)) {
            return;
        }
        ThreadMemory m = memory.current();
        ExecutionFact s = m.savepointed;
        m.savepointed = null;
        boolean repaired = s != null && s.connection().id() == f.connection().id() && s.transactionId() == f.transactionId()
                && s.sql() == f.sql();
        GuardConfig config = f.connection().config();
        String why;
        if (repaired) {
            why = null;
        } else if (config.recovery() != Recovery.FRESH_READ) {
            why = "guard.recovery=off";
        } else if (!repairable(d, f.isolation())) {
            why = "isolation";
        } else {
            why = "no-check";
        }
        StackTraceElement site = CallSites.capture(config.appPackages());
        Structure ins = f.shape().structure();
        String table = ins == null || ins.table() == null ? null : ins.table().toString();
        List<String> columns = ins == null ? List.of() : ins.insertColumns();
        reporter.occurred(RuleId.DUPLICATE_ABORTS_TRANSACTION, table + '|' + site + '|' + (why == null ? "repaired" : why),
                () -> finding(f, d, table, columns, site, why));
    }

    private static Finding finding(ExecutionFact f, Dialect d, String table, List<String> columns,
                                   StackTraceElement site, String why) {
        String head = "[duplicate-aborts-transaction] " + (table == null ? "" : table + "(" + String.join(", ", columns)
                + "): ") + "an INSERT at " + site + " failed with a duplicate key (" + d.duplicateKeyError() + ") inside a"
                + " transaction" + Patterns.isolationText(f.isolation()) + "; the server aborts a transaction on any"
                + " error, so every later statement of it fails (25P02) until a rollback, and a get-or-create's"
                + " fallback read cannot run";
        String fix = " Fix: " + d.upsertForms() + ", then read the row; or take a savepoint before the INSERT and roll"
                + " back to it on the duplicate key (Spring: Propagation.NESTED); at REPEATABLE READ and SERIALIZABLE"
                + " retry the whole transaction (io.jdbcguard.Retry).";
        if (why == null) {
            return Findings.of(f.connection(), RuleId.DUPLICATE_ABORTS_TRANSACTION, Finding.Level.INFO, head + ". Repaired"
                    + " (guard.recovery=fresh-read): the INSERT completed a check, so the guard ran it inside a savepoint"
                    + " and rolled back to it; the application got the duplicate-key error as the driver threw it, the"
                    + " transaction stays usable and its next read sees the row that won." + fix,
                    table, columns, null, site, f.isolation(), Patterns.sqlText(f), null);
        }
        String not;
        switch (why) {
            case "guard.recovery=off":
                not = ". Not repaired: guard.recovery=off.";
                break;
            case "isolation":
                not = ". Not repaired: at " + f.isolation() + " even a read after rolling back to a savepoint answers"
                        + " from the transaction's snapshot and misses the row that won; only a retry of the whole"
                        + " transaction helps.";
                break;
            default:
                not = ". Not repaired: the guard saw no check (a read by this key that found no row) before this"
                        + " INSERT, and wraps only INSERTs that complete one.";
        }
        return Findings.of(f.connection(), RuleId.DUPLICATE_ABORTS_TRANSACTION, Finding.Level.WARN, head + not + fix, table, columns,
                null, site, f.isolation(), Patterns.sqlText(f), null);
    }
}
