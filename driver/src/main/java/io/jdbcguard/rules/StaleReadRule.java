package io.jdbcguard.rules;

import static io.jdbcguard.rules.Patterns.sqlText;

import io.jdbcguard.Finding;
import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.fact.TransactionEvent;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.LockMode;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code stale-read-after-duplicate} and its repair: after an INSERT into T failed with a duplicate key
 * in a REPEATABLE READ transaction, that transaction's plain reads of T answer from a snapshot that
 * misses the winner's row. With {@code guard.recovery=fresh-read} each such read runs, for that one
 * execution, as a shared-lock read (INFO); otherwise, or where the text's grammar is not known with
 * certainty, or {@code innodb_snapshot_isolation} is on, it runs as written (WARN).
 */
final class StaleReadRule implements FactListener {

    private static final Set<StatementKind> FAILURES = Set.of(StatementKind.INSERT);

    private final PatternMemory memory;
    private final Reporter reporter;

    StaleReadRule(PatternMemory memory, Reporter reporter) {
        this.memory = memory;
        this.reporter = reporter;
    }

    @Override
    public Set<StatementKind> failureKinds() {
        return FAILURES;
    }

    @Override
    public void onExecution(ExecutionFact f) {
        if (f.outcome().type() == Outcome.Type.FAILED) {
            duplicateKey(f);
        }
    }

    @Override
    public void onTransactionEnd(TransactionEvent event) {
        if (staleEntries.get() == 0) {
            return;
        }
        ThreadMemory m = memory.current();
        if (m.staleCount > 0) {
            int before = m.staleCount;
            m.transactionEnded(event.connection().id(), event.transactionId());
            staleEntries.addAndGet(m.staleCount - before);
        }
    }

    /**
     * Stale transactions over every thread (never fewer than there are; more after a thread's memory was
     * forgotten): while none, no statement looks into its thread's memory for them.
     */
    private final java.util.concurrent.atomic.AtomicInteger staleEntries = new java.util.concurrent.atomic.AtomicInteger();

    private static final Set<StatementKind> BEFORE = EnumSet.of(StatementKind.SELECT);

    @Override
    public boolean activeFor(GuardConfig config) {
        return config.enabled(RuleId.STALE_READ_AFTER_DUPLICATE);
    }

    @Override
    public Set<StatementKind> beforeKinds() {
        return BEFORE;
    }

    @Override
    public boolean wantsBefore(SqlShape shape) {
        return shape.kind() == StatementKind.SELECT && shape.lock() == LockMode.NONE
                && staleEntries.get() > 0 && memory.current().staleCount > 0;
    }

    @Override
    public String beforeExecution(ExecutionFact w) throws UnsafePatternException {
        return staleRead(w);
    }

    /** An INSERT failed with a duplicate key: under REPEATABLE READ its transaction's snapshot is now stale. */
    private void duplicateKey(ExecutionFact f) {
        if (f.kind() != StatementKind.INSERT
                || !f.connection().dialect().duplicateKey(f.outcome().vendorCode(), f.outcome().sqlState())
                || !f.inTransaction() || !f.connection().dialect().staleSnapshotAfterDuplicate(f.isolation())
                || !f.connection().config().enabled(RuleId.STALE_READ_AFTER_DUPLICATE)) {
            return;
        }
        Structure s = f.shape().structure();
        if (s == null || s.table() == null) {
            return;
        }
        String keyName = f.connection().dialect().duplicateKeyName(f.outcome().error());
        if (keyName != null) {
            // Read in the background now, so that the re-read knows which columns the violated key has.
            IndexCatalog.of(f.connection().dataSource()).lookup(s.table(), f.connection().currentSchema());
        }
        ThreadMemory m = memory.current();
        int before = m.staleCount;
        m.stale(new ThreadMemory.Stale(f.connection().id(), f.transactionId(), s.table(), keyName, s.insertColumns(),
                CallSites.capture(f.connection().config().appPackages())));
        staleEntries.addAndGet(m.staleCount - before);
    }

    /**
     * Whether a read can miss the row that won: it fixes every column of the violated unique key (or, while
     * that key's columns are not known, some column the failed INSERT named; every read when it named none).
     * Any other read of the table finds what it found before the duplicate, and runs as written.
     */
    private static boolean canMissTheWinner(ExecutionFact w, Structure read, ThreadMemory.Stale stale) {
        java.util.Set<String> fixed = new java.util.HashSet<>();
        for (Structure.Equality e : read.keyEqualities()) {
            fixed.add(e.column());
        }
        java.util.Set<String> key = IndexCatalog.of(w.connection().dataSource())
                .uniqueColumns(stale.table(), w.connection().currentSchema(), stale.keyName());
        if (key != null) {
            return fixed.containsAll(key);
        }
        if (stale.insertColumns().isEmpty()) {
            return true;
        }
        for (String c : stale.insertColumns()) {
            if (fixed.contains(c)) {
                return true;
            }
        }
        return false;
    }

    /** A plain read after a duplicate key in the same REPEATABLE READ transaction: the shared-lock text to run, or null. */
    private String staleRead(ExecutionFact w) throws UnsafePatternException {
        Structure s = w.shape().structure();
        ThreadMemory memory = this.memory.current();
        if (memory.staleCount == 0 || !w.inTransaction() || s == null || s.table() == null) {
            return null;
        }
        ThreadMemory.Stale stale = memory.staleFor(w.connection().id(), w.transactionId(), s.table(),
                w.connection()::currentSchema);
        if (stale == null || !canMissTheWinner(w, s, stale)) {
            return null;
        }
        StackTraceElement insertSite = stale.site();
        GuardConfig config = w.connection().config();
        String why = null;
        String rewritten = null;
        if (config.recovery() != io.jdbcguard.config.Recovery.FRESH_READ) {
            why = "guard.recovery=off";
        } else {
            Boolean snapshot = w.connection().server().snapshotIsolation();
            if (snapshot == null) {
                why = "unknown-snapshot-isolation";
            } else if (snapshot) {
                why = "innodb_snapshot_isolation";
            }
        }
        if (why == null) {
            String clause = w.connection().server().sharedLockClause();
            rewritten = sharedLockRead(w, clause);
            if (rewritten == null) {
                why = "uncertain";
            }
        }
        StackTraceElement readSite = CallSites.capture(config.appPackages());
        String table = s.table().toString();
        String done = rewritten;
        String reason = why;
        Finding f = reporter.occurred(RuleId.STALE_READ_AFTER_DUPLICATE, table + '|' + insertSite + '|' + readSite
                + '|' + (reason == null ? "repaired" : reason), () -> staleReadFinding(w, table, insertSite, readSite,
                done, reason));
        if (rewritten == null) {
            Patterns.refuseIfStrict(w, f);
        }
        return rewritten;
    }

    /** The planned read with a shared-lock clause appended, or {@code null} when that cannot be done with certainty. */
    private static String sharedLockRead(ExecutionFact w, String clause) {
        SqlShape shape = w.shape();
        String sql = w.sql();
        int end = shape.statementEnd();
        if (end <= 0 || end > sql.length() || shape.lock() != LockMode.NONE || shape.structure() == null
                || shape.normalized().toUpperCase(java.util.Locale.ROOT).contains(" INTO ") || !w.paramsKnown()
                || !plainText(sql)) {
            return null;
        }
        for (int i = 1; i <= shape.paramCount(); i++) {
            Object v = w.param(i);
            if (v instanceof java.io.InputStream || v instanceof java.io.Reader || v instanceof java.sql.Blob
                    || v instanceof java.sql.Clob || v instanceof java.sql.Array || v instanceof java.sql.Ref) {
                return null;
            }
        }
        return sql.substring(0, end) + " " + clause + sql.substring(end);
    }

    /**
     * Whether where a clause may go is certain: no backslash (whether it escapes depends on the session's
     * {@code sql_mode}, {@code NO_BACKSLASH_ESCAPES}) and no control character but tab and line breaks (a
     * NUL ends the text for the server's parser, so a clause after it would not be read).
     */
    private static boolean plainText(String sql) {
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\\' || (c < ' ' && c != '\t' && c != '\n' && c != '\r')) {
                return false;
            }
        }
        return true;
    }

    private static Finding staleReadFinding(ExecutionFact w, String table, StackTraceElement insertSite,
                                            StackTraceElement readSite, String rewritten, String why) {
        String head = "[stale-read-after-duplicate] " + table + ": the INSERT at " + insertSite + " failed with a"
                + " duplicate key (1062) under REPEATABLE_READ and the same transaction then reads " + table + " at "
                + readSite + "; its snapshot predates the row that won, so a plain SELECT misses that row";
        String fix = " Fix: re-read in a new transaction (roll back first), or with SELECT … LOCK IN SHARE MODE /"
                + " FOR SHARE, or retry the whole unit of work with io.jdbcguard.Retry.";
        if (rewritten != null) {
            return Findings.of(w.connection(), RuleId.STALE_READ_AFTER_DUPLICATE, Finding.Level.INFO, head + ". Repaired"
                    + " (guard.recovery=fresh-read): the guard ran it as a shared-lock read, which sees the committed"
                    + " row; the shared lock is held until the transaction ends.", table, List.of(), insertSite,
                    readSite, w.isolation(), sqlText(w), null);
        }
        String not;
        switch (why) {
            case "guard.recovery=off":
                not = ". Not repaired (guard.recovery=off): the application will think the row does not exist.";
                break;
            case "unknown-snapshot-isolation":
                not = ". Not repaired: the guard could not read innodb_snapshot_isolation on its own connection,"
                        + " and a locking re-read rolls the whole transaction back where it is ON.";
                break;
            case "innodb_snapshot_isolation":
                not = ". Not repaired: with innodb_snapshot_isolation ON a locking read of a row changed since the"
                        + " snapshot fails with error 1020 and rolls the whole transaction back, so the guard leaves"
                        + " the read as it is and the application will think the row does not exist.";
                break;
            default:
                not = ". Not repaired: the guard cannot rewrite this statement with certainty.";
        }
        return Findings.of(w.connection(), RuleId.STALE_READ_AFTER_DUPLICATE, Finding.Level.WARN, head + not + fix, table, List.of(),
                insertSite, readSite, w.isolation(), sqlText(w), null);
    }
}
