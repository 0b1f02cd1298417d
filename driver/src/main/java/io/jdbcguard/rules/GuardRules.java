package io.jdbcguard.rules;

import io.jdbcguard.Finding;
import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Mode;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactBus;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.fact.TransactionEvent;
import io.jdbcguard.internal.Vendor;
import io.jdbcguard.sql.InsertVariant;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.LockMode;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import io.jdbcguard.sql.Structure.Assignment;
import io.jdbcguard.sql.Structure.Equality;
import io.jdbcguard.sql.Structure.TableName;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules {@code check-then-insert}, {@code lost-update} and {@code lock-without-transaction}, as
 * DESIGN.md defines them. They read facts only: statements that can open a pattern (a non-locking
 * single-table SELECT by equality that found no row, or found one) are remembered per application
 * thread; the statement that completes a pattern (an INSERT, an UPDATE, a locking read under autocommit)
 * is examined before it runs, so strict mode can refuse it.
 *
 * <p>Call sites cost a stack walk (a microsecond or a few), and a finding that names the wrong line costs
 * the team more than none. So the site of a check (a read that found no row: almost always followed by
 * its write) and of the statement that completes a pattern are walked every time. A read that found a
 * row (what {@code lost-update} starts from, run far more often) is walked for the first {@link #SAMPLED}
 * executions of its SQL (normalised, so literal variants share it) and then every {@link #RESAMPLE}th;
 * once its SQL has been seen at a second place it is walked every time. In strict mode every site is
 * walked.
 */
public final class GuardRules implements FactListener {

    /** Executions of one read's SQL whose call site is walked before the last sample stands for it. */
    static final int SAMPLED = 8;
    /** After the first samples, a read's site is walked again every this many executions, to find a second place. */
    static final int RESAMPLE = 16;
    private static final int MAX_TRACKED_SHAPES = 8192;

    private static final GuardRules INSTANCE = new GuardRules();
    private static volatile boolean installed;

    private static final ThreadLocal<ThreadMemory> MEMORY = ThreadLocal.withInitial(ThreadMemory::new);
    /** Per read SQL (normalised text, shared by all its literal variants): sampling state. */
    private final ConcurrentHashMap<String, ReadSites> readSites = new ConcurrentHashMap<>();

    /**
     * How often a read's SQL ran, the site last walked for it, and whether it runs at several places: walked
     * for the first {@link #SAMPLED} executions, every {@link #RESAMPLE}th after that, and always once a
     * second place was seen (or a pattern met a site that stood in).
     */
    static final class ReadSites {
        int executions;
        volatile StackTraceElement site;
        volatile boolean severalPlaces;

        boolean walkNext() {
            int n = executions++;
            return site == null || severalPlaces || n < SAMPLED || n % RESAMPLE == 0;
        }

        void walked(StackTraceElement s) {
            StackTraceElement last = site;
            if (last != null && !last.equals(s)) {
                severalPlaces = true;
            }
            site = s;
        }
    }

    private static final Set<StatementKind> FAILURE_KINDS = EnumSet.of(StatementKind.INSERT);

    private static final Set<StatementKind> KINDS = EnumSet.of(StatementKind.SELECT, StatementKind.LOCK_TABLES,
            StatementKind.UNLOCK_TABLES, StatementKind.DDL);

    private GuardRules() {
    }

    /** Registers the rules on the fact bus, once per JVM (the driver does this when it loads). */
    public static synchronized void install() {
        if (!installed) {
            installed = true;
            FactBus.register(INSTANCE);
            FactBus.register(IsolationRule.INSTANCE);
            GuardStatsMBeans.register();
        }
    }

    @Override
    public Set<StatementKind> kinds() {
        return KINDS;
    }

    @Override
    public Set<StatementKind> failureKinds() {
        return FAILURE_KINDS;
    }

    @Override
    public boolean wantsBefore(SqlShape shape) {
        switch (shape.kind()) {
            case INSERT:
                return shape.insertVariant() == InsertVariant.PLAIN && shape.structure() != null;
            case UPDATE:
                return shape.structure() != null;
            case SELECT:
                return shape.lock() != LockMode.NONE || MEMORY.get().staleCount > 0;
            default:
                return false;
        }
    }

    @Override
    public void onTransactionEnd(TransactionEvent event) {
        ThreadMemory memory = MEMORY.get();
        if (memory.staleCount > 0) {
            memory.transactionEnded(event.connection().id(), event.transactionId());
        }
    }

    // ---- after execution: remember what can open a pattern ---------------------------------------

    @Override
    public void onExecution(ExecutionFact f) {
        if (f.outcome().type() == Outcome.Type.FAILED) {
            duplicateKey(f);
            return;
        }
        ThreadMemory memory = MEMORY.get();
        long conn = f.connection().id();
        SqlShape shape = f.shape();
        switch (shape.kind()) {
            case LOCK_TABLES:
                memory.sessionLock(conn, true);
                return;
            case UNLOCK_TABLES:
                memory.sessionLock(conn, false);
                return;
            case DDL:
                invalidateIndexes(f);
                return;
            default:
                break;
        }
        if (shape.namedLock()) {
            memory.sessionLock(conn, true);
        }
        if (shape.releasesNamedLock()) {
            memory.sessionLock(conn, false);
        }
        if (shape.lock() == LockMode.FOR_UPDATE && f.inTransaction()) {
            memory.exclusiveLock(conn, f.transactionId());
        }
        Structure s = shape.structure();
        if (shape.lock() != LockMode.NONE || s == null || s.table() == null || s.keyEqualities().isEmpty()
                || f.outcome().type() != Outcome.Type.ROWS) {
            return;
        }
        boolean check;
        switch (s.form()) {
            case ROWS:
                check = !f.outcome().rowFound();
                if (!check && s.selectedColumns().isEmpty()) {
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
        if (check ? !config.enabled(RuleId.CHECK_THEN_INSERT) : !config.enabled(RuleId.LOST_UPDATE)) {
            return;
        }
        ReadSites sites = check || config.mode() == Mode.STRICT ? null : readSites(shape);
        boolean walk = sites == null || sites.walkNext();
        StackTraceElement site = walk ? CallSites.capture(config.appPackages()) : sites.site;
        if (walk && sites != null) {
            sites.walked(site);
        }
        memory.add(new ThreadMemory.Opener(f, site, walk, check,
                f.inTransaction() && memory.exclusiveLocked(conn, f.transactionId()), memory.sessionLocked(conn)));
    }

    private ReadSites readSites(SqlShape shape) {
        ReadSites st = readSites.get(shape.normalized());
        if (st == null) {
            if (readSites.size() >= MAX_TRACKED_SHAPES) {
                readSites.clear();
            }
            st = readSites.computeIfAbsent(shape.normalized(), k -> new ReadSites());
        }
        return st;
    }

    private static final Pattern DDL_TABLE = Pattern.compile(
            "(?i)^\\s*(?:ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)?TABLE|DROP\\s+TABLE(?:\\s+IF\\s+EXISTS)?|TRUNCATE(?:\\s+TABLE)?"
                    + "|CREATE\\s+(?:OR\\s+REPLACE\\s+)?TABLE(?:\\s+IF\\s+NOT\\s+EXISTS)?"
                    + "|(?:CREATE|DROP)\\s+(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?INDEX\\s+(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?\\S+\\s+ON)"
                    + "\\s+(`[^`]+`|[\\w$]+)(?:\\.(`[^`]+`|[\\w$]+))?(?:\\s|\\(|$)");

    private static void invalidateIndexes(ExecutionFact f) {
        Matcher m = DDL_TABLE.matcher(f.shape().normalized());
        IndexCatalog catalog = IndexCatalog.of(f.connection().dataSource());
        if (m.find()) {
            String first = unquote(m.group(1));
            String second = m.group(2) == null ? null : unquote(m.group(2));
            catalog.invalidate(second == null ? null : first, second == null ? first : second);
        } else {
            catalog.invalidate(null, null);
        }
    }

    private static String unquote(String s) {
        return s.startsWith("`") ? s.substring(1, s.length() - 1) : s;
    }

    // ---- before execution: does this statement complete a pattern? ------------------------------

    @Override
    public String beforeExecution(ExecutionFact w) throws UnsafePatternException {
        switch (w.kind()) {
            case INSERT:
                if (w.connection().config().enabled(RuleId.CHECK_THEN_INSERT)) {
                    checkThenInsert(w);
                }
                break;
            case UPDATE:
                if (w.connection().config().enabled(RuleId.LOST_UPDATE)) {
                    lostUpdate(w);
                }
                break;
            case SELECT:
                if (w.shape().lock() == LockMode.NONE) {
                    return staleRead(w);
                } else if (!w.inTransaction() && w.connection().config().enabled(RuleId.LOCK_WITHOUT_TRANSACTION)) {
                    lockWithoutTransaction(w);
                }
                break;
            default:
                break;
        }
        return null;
    }

    // ---- stale-read-after-duplicate --------------------------------------------------------------

    /** An INSERT failed with a duplicate key: under REPEATABLE READ its transaction's snapshot is now stale. */
    private static void duplicateKey(ExecutionFact f) {
        if (f.kind() != StatementKind.INSERT || f.outcome().vendorCode() != Vendor.ER_DUP_ENTRY
                || !Vendor.SQLSTATE_INTEGRITY.equals(f.outcome().sqlState()) || !f.inTransaction()
                || f.isolation() != Isolation.REPEATABLE_READ
                || !f.connection().config().enabled(RuleId.STALE_READ_AFTER_DUPLICATE)) {
            return;
        }
        Structure s = f.shape().structure();
        if (s == null || s.table() == null) {
            return;
        }
        MEMORY.get().stale(f.connection().id(), f.transactionId(), s.table().name(),
                CallSites.capture(f.connection().config().appPackages()));
    }

    /** A plain read after a duplicate key in the same REPEATABLE READ transaction: the shared-lock text to run, or null. */
    private String staleRead(ExecutionFact w) throws UnsafePatternException {
        Structure s = w.shape().structure();
        ThreadMemory memory = MEMORY.get();
        if (memory.staleCount == 0 || !w.inTransaction() || s == null || s.table() == null) {
            return null;
        }
        StackTraceElement insertSite = memory.staleSite(w.connection().id(), w.transactionId(), s.table().name());
        if (insertSite == null) {
            return null;
        }
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
        Finding f = Reporter.occurred(RuleId.STALE_READ_AFTER_DUPLICATE, table + '|' + insertSite + '|' + readSite
                + '|' + (reason == null ? "repaired" : reason), () -> staleReadFinding(w, table, insertSite, readSite,
                done, reason));
        if (rewritten == null) {
            refuseIfStrict(w, f);
        }
        return rewritten;
    }

    /** The planned read with a shared-lock clause appended, or {@code null} when that cannot be done with certainty. */
    private static String sharedLockRead(ExecutionFact w, String clause) {
        SqlShape shape = w.shape();
        String sql = w.sql();
        int end = shape.statementEnd();
        if (end <= 0 || end > sql.length() || shape.lock() != LockMode.NONE || shape.structure() == null
                || shape.normalized().toUpperCase(java.util.Locale.ROOT).contains(" INTO ")) {
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

    private static Finding staleReadFinding(ExecutionFact w, String table, StackTraceElement insertSite,
                                            StackTraceElement readSite, String rewritten, String why) {
        String head = "[stale-read-after-duplicate] " + table + ": the INSERT at " + insertSite + " failed with a"
                + " duplicate key (1062) under REPEATABLE_READ and the same transaction then reads " + table + " at "
                + readSite + "; its snapshot predates the row that won, so a plain SELECT misses that row";
        String fix = " Fix: re-read in a new transaction (roll back first), or with SELECT … LOCK IN SHARE MODE /"
                + " FOR SHARE, or retry the whole unit of work with io.jdbcguard.Retry.";
        if (rewritten != null) {
            return Findings.of(RuleId.STALE_READ_AFTER_DUPLICATE, Finding.Level.INFO, head + ". Repaired"
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
        return Findings.of(RuleId.STALE_READ_AFTER_DUPLICATE, Finding.Level.WARN, head + not + fix, table, List.of(),
                insertSite, readSite, w.isolation(), sqlText(w), null);
    }

    /** How two statements relate in time; {@code null} when they form no pattern (too far apart). */
    private static String relation(ThreadMemory.Opener o, ExecutionFact w) {
        ExecutionFact r = o.fact;
        boolean sameTx = r.connection().id() == w.connection().id() && r.transactionId() == w.transactionId()
                && r.inTransaction() && w.inTransaction();
        if (sameTx) {
            return "in the same transaction";
        }
        long gap = w.startNanos() - r.endNanos();
        if (gap > w.connection().config().windowNanos()) {
            return null;
        }
        String ms = Math.max(0, gap / 1_000_000) + " ms apart";
        if (!r.inTransaction() && !w.inTransaction()) {
            return "as separate autocommit statements " + ms;
        }
        return "in separate transactions " + ms + (r.connection().id() == w.connection().id() ? "" : " on different connections");
    }

    /** Whether the pattern is serialized, and so safe. */
    private static boolean serialized(ThreadMemory.Opener o, ExecutionFact w, String relation) {
        if (o.underSessionLock && o.fact.connection().id() == w.connection().id()
                && MEMORY.get().sessionLocked(w.connection().id())) {
            return true;
        }
        if (!"in the same transaction".equals(relation)) {
            return false;
        }
        return o.afterExclusiveLock || w.isolation() == Isolation.SERIALIZABLE
                || o.fact.isolation() == Isolation.SERIALIZABLE;
    }

    /**
     * Every check the INSERT completes is reported, one finding per check (two checks of two unique keys
     * before one insert are two races); strict mode refuses after all were reported.
     */
    private void checkThenInsert(ExecutionFact w) throws UnsafePatternException {
        Structure ins = w.shape().structure();
        if (ins.table() == null || ins.insertColumns().isEmpty()) {
            return;
        }
        ThreadMemory memory = MEMORY.get();
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
            Finding f = completed(memory, o, w, RuleId.CHECK_THEN_INSERT, columns(chk.keyEqualities()));
            if (refuse == null && f != null && f != NO_FINDING) {
                refuse = f;
            }
        }
        refuseIfStrict(w, refuse);
    }

    /** {@link #completed}'s answer when the statements formed a pattern that yields no finding (serialized). */
    private static final Finding NO_FINDING = Findings.of(RuleId.CHECK_THEN_INSERT, Finding.Level.INFO, "", null,
            List.of(), null, null, null, null, null);

    /**
     * The statement matches the opener: if they are close enough in time, they form a pattern, reported
     * unless serialized. Returns {@code null} when they form none, {@link #NO_FINDING} when it is safe,
     * else the place's finding (provisional while the table's indexes are being read).
     */
    private Finding completed(ThreadMemory memory, ThreadMemory.Opener o, ExecutionFact w, RuleId rule,
                              List<String> columns) {
        String relation = relation(o, w);
        if (relation == null) {
            return null;
        }
        memory.remove(o);
        if (serialized(o, w, relation)) {
            return NO_FINDING;
        }
        Finding f = report(rule, o, w, relation, columns);
        return f == null ? NO_FINDING : f;
    }

    private void lostUpdate(ExecutionFact w) throws UnsafePatternException {
        Structure up = w.shape().structure();
        if (up.table() == null || up.keyEqualities().isEmpty() || up.assignments().isEmpty()) {
            return;
        }
        ThreadMemory memory = MEMORY.get();
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
            Finding f = completed(memory, o, w, RuleId.LOST_UPDATE, written);
            if (f != null) {
                refuseIfStrict(w, f == NO_FINDING ? null : f);
                return;
            }
        }
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

    private void lockWithoutTransaction(ExecutionFact w) throws UnsafePatternException {
        Structure s = w.shape().structure();
        String table = s == null || s.table() == null ? null : s.table().toString();
        StackTraceElement site = CallSites.capture(w.connection().config().appPackages());
        String place = table + '|' + site;
        Finding f = Reporter.occurred(RuleId.LOCK_WITHOUT_TRANSACTION, place, () -> Findings.of(
                RuleId.LOCK_WITHOUT_TRANSACTION, Finding.Level.WARN,
                "[lock-without-transaction] " + (table == null ? "a locking read" : table) + ": "
                        + lockWords(w.shape()) + " at " + site + " ran under autocommit, so its locks ended with"
                        + " the statement and protect nothing that follows. Fix: run it inside a transaction"
                        + " (setAutoCommit(false) or START TRANSACTION) together with the statements it protects,"
                        + " and commit after them.",
                table, s == null ? List.of() : columns(s.keyEqualities()), null, site, w.isolation(),
                sqlText(w), null));
        refuseIfStrict(w, f);
    }

    private static String lockWords(SqlShape shape) {
        return shape.lock() == LockMode.FOR_UPDATE ? "SELECT … FOR UPDATE" : "SELECT … LOCK IN SHARE MODE / FOR SHARE";
    }

    /**
     * Reports a pattern at its place (rule, table, columns, both call sites). Whether a unique index
     * covers the columns decides the level; it is never awaited on the application's thread: when the
     * guard has not read the table's indexes yet, the occurrence is counted now and the finding logged
     * when they are read (strict mode refuses a check-then-insert at once, whatever the index).
     */
    private Finding report(RuleId rule, ThreadMemory.Opener o, ExecutionFact w, String relation, List<String> columns) {
        GuardConfig config = w.connection().config();
        StackTraceElement writeSite = CallSites.capture(config.appPackages());
        if (!o.walked && !sameMethod(o.site, writeSite)) {
            // The read's site stands in from an earlier execution of its SQL, elsewhere perhaps: rather than
            // name a wrong line, this occurrence goes unreported and the SQL's reads are walked from now on.
            readSites(o.fact.shape()).severalPlaces = true;
            return null;
        }
        TableName table = w.shape().structure().table();
        String place = table + "|" + String.join(",", columns) + '|' + o.site + '|' + writeSite;
        String schema = w.connection().currentSchema();
        IndexCatalog catalog = IndexCatalog.of(w.connection().dataSource());
        java.util.concurrent.CompletableFuture<?> indexes = catalog.lookup(table, schema);
        java.util.function.Supplier<Finding> build = () -> rule == RuleId.CHECK_THEN_INSERT
                ? checkThenInsertFinding(o, w, relation, columns, writeSite, catalog.uniqueWithin(table, schema, columns))
                : lostUpdateFinding(o, w, relation, columns, writeSite, catalog.uniqueWithin(table, schema,
                columns(o.fact.shape().structure().keyEqualities())));
        if (indexes.isDone()) {
            return Reporter.occurred(rule, place, build);
        }
        Finding provisional = rule == RuleId.CHECK_THEN_INSERT
                ? checkThenInsertFinding(o, w, relation, columns, writeSite, null) : null;
        return Reporter.occurredWhen(rule, place, indexes, build, provisional);
    }

    private static void refuseIfStrict(ExecutionFact w, Finding f) throws UnsafePatternException {
        if (f != null && f != NO_FINDING && w.connection().config().mode() == Mode.STRICT
                && f.level() != Finding.Level.INFO) {
            throw new UnsafePatternException(f.rule(), f.message());
        }
    }

    /** @param unique whether a unique index lies within the key; {@code null}: not known (yet) */
    private static Finding checkThenInsertFinding(ThreadMemory.Opener o, ExecutionFact w, String relation,
                                                  List<String> key, StackTraceElement writeSite, Boolean unique) {
        TableName t = w.shape().structure().table();
        String cols = String.join(", ", key);
        String iso = isolationText(w.isolation());
        String head = "[check-then-insert] " + t + "(" + cols + "): " + checkWords(o.fact) + " at " + o.site
                + " found no row, then an INSERT at " + writeSite + " added it " + relation + iso + "; two concurrent"
                + " callers can both pass the check and both insert";
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

    /** @param unique whether a unique index lies within the read's key; {@code null}: not known */
    private static Finding lostUpdateFinding(ThreadMemory.Opener o, ExecutionFact w, String relation,
                                             List<String> written, StackTraceElement writeSite, Boolean unique) {
        TableName t = w.shape().structure().table();
        List<String> key = columns(o.fact.shape().structure().keyEqualities());
        if (Boolean.FALSE.equals(unique)) {
            return null; // not a read of one row by a unique key
        }
        String cols = String.join(", ", written);
        String first = written.get(0);
        String message = "[lost-update] " + t + "(" + cols + "): a SELECT at " + o.site + " read " + cols
                + " of one row by (" + String.join(", ", key) + "), then an UPDATE at " + writeSite
                + " wrote an absolute new value " + relation + isolationText(w.isolation()) + "; a concurrent"
                + " transaction can change the row in between and its change is silently overwritten."
                + " Fix: read with SELECT … FOR UPDATE in the same transaction as the UPDATE, or update relatively"
                + " (SET " + first + " = " + first + " + ?), or use optimistic locking (a version column:"
                + " UPDATE … WHERE id = ? AND version = ?, retrying when no row changed).";
        return Findings.of(RuleId.LOST_UPDATE, Finding.Level.WARN, message, t.toString(), written, o.site, writeSite,
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

    private static String isolationText(Isolation i) {
        return i == null ? "" : " under " + i.name();
    }

    // ---- matching helpers -----------------------------------------------------------------------

    private static boolean sameMethod(StackTraceElement a, StackTraceElement b) {
        return a != null && b != null && a.getClassName().equals(b.getClassName())
                && a.getMethodName().equals(b.getMethodName());
    }

    static boolean sameTable(TableName a, TableName b) {
        return a != null && b != null && a.name().equals(b.name())
                && (a.schema() == null || b.schema() == null || a.schema().equals(b.schema()));
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

    /** Equal, or unknown on either side (then the columns alone decide). */
    static boolean sameValue(Object a, Object b) {
        if (a == null || b == null || a instanceof java.io.InputStream || a instanceof java.io.Reader
                || b instanceof java.io.InputStream || b instanceof java.io.Reader) {
            return true;
        }
        if (a instanceof Number && b instanceof Number) {
            try {
                return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
            } catch (NumberFormatException e) {
                return a.equals(b);
            }
        }
        if (a instanceof byte[] && b instanceof byte[]) {
            return Arrays.equals((byte[]) a, (byte[]) b);
        }
        if (a instanceof Number || b instanceof Number) {
            return a.toString().equals(b.toString());
        }
        return a.equals(b) || a.toString().equals(b.toString());
    }

    private static List<String> columns(List<Equality> eqs) {
        List<String> out = new ArrayList<>(eqs.size());
        for (Equality e : eqs) {
            out.add(e.column());
        }
        return out;
    }

    /** The SQL for a log line: normalised (values as {@code ?}) unless values are to be logged. */
    static String sqlText(ExecutionFact f) {
        if (!f.connection().config().logValues()) {
            return f.shape().normalized();
        }
        StringBuilder sb = new StringBuilder(f.sql());
        if (f.shape().paramCount() > 0) {
            sb.append(" [");
            for (int i = 1; i <= f.shape().paramCount(); i++) {
                sb.append(i > 1 ? ", " : "").append(i).append('=').append(f.param(i));
            }
            sb.append(']');
        }
        return sb.toString();
    }

    /** Forgets what the calling thread did: for test isolation (a new test must not complete an old test's check). */
    public static void forgetCurrentThread() {
        MEMORY.remove();
    }
}
