package io.jdbcguard.rules;

import io.jdbcguard.Finding;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.fact.TransactionEvent;
import io.jdbcguard.internal.GuardThreads;
import io.jdbcguard.sql.LockMode;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure.TableName;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code lock-order}: per place (a transaction, known by the call sites of its first lock on each table), the
 * order in which it first locks rows of each table (locking reads, INSERT, UPDATE, DELETE). Two places that
 * lock tables A and B in opposite orders deadlock under load: each holds its first table's rows while it waits
 * for the other's. Found from one run of each (a test suite), reported once per pair of places. WARN.
 *
 * <p>On the application's thread: a statement appends its table to its thread's sequence for the transaction
 * (at most {@link #TABLES}); at the end of a transaction of two tables or more, an order not seen before at
 * those places is handed to the guard's threads, which keep every order seen (at most {@link #MAX_ORDERS}) and
 * compare. A transaction rolled back counts like a committed one: it took its locks in that order.
 */
final class LockOrderRule implements FactListener {

    private static final Set<StatementKind> KINDS = EnumSet.of(StatementKind.SELECT, StatementKind.INSERT,
            StatementKind.UPDATE, StatementKind.DELETE);
    /** Tables remembered per transaction, in the order first locked. */
    static final int TABLES = 8;
    /** Orders (pairs of tables at a pair of sites) kept across the JVM's transactions. */
    static final int MAX_ORDERS = 4096;

    private final PatternMemory memory;
    private final LockingSites sites;
    private final Reporter reporter;
    /**
     * Each order seen (an ordered pair of tables at the sites of their first locks) → the finding places of the
     * opposite pairs it is part of (empty while none is known).
     */
    private final Map<Order, List<Object>> orders = new ConcurrentHashMap<>();

    LockOrderRule(PatternMemory memory, LockingSites sites, Reporter reporter) {
        this.memory = memory;
        this.sites = sites;
        this.reporter = reporter;
    }

    /**
     * A transaction locked {@code first} at {@code firstSite}, later {@code second} at {@code secondSite}. Kept in
     * {@link #orders} only as copies that never change; a thread's {@link Sequence} has one of its own to look
     * orders up with, so that a transaction whose orders are known allocates nothing.
     */
    static final class Order {
        TableName first;
        TableName second;
        StackTraceElement firstSite;
        StackTraceElement secondSite;

        Order set(TableName first, TableName second, StackTraceElement firstSite, StackTraceElement secondSite) {
            this.first = first;
            this.second = second;
            this.firstSite = firstSite;
            this.secondSite = secondSite;
            return this;
        }

        Order copy() {
            return new Order().set(first, second, firstSite, secondSite);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Order && first.equals(((Order) o).first) && second.equals(((Order) o).second)
                    && firstSite.equals(((Order) o).firstSite) && secondSite.equals(((Order) o).secondSite);
        }

        @Override
        public int hashCode() {
            return ((first.hashCode() * 31 + second.hashCode()) * 31 + firstSite.hashCode()) * 31 + secondSite.hashCode();
        }

        @Override
        public String toString() {
            return first + "@" + firstSite + ">" + second + "@" + secondSite;
        }
    }

    /** One thread's current transaction: the tables it locked, in order, and where. Reused from one to the next. */
    static final class Sequence {
        long connection;
        long transaction;
        final TableName[] tables = new TableName[TABLES];
        final StackTraceElement[] sites = new StackTraceElement[TABLES];
        final String[] sql = new String[TABLES];
        int size;
        /** False once its transaction ended (the next statement starts the next). */
        boolean open;
        final Order probe = new Order();

        void start(long connection, long transaction) {
            this.connection = connection;
            this.transaction = transaction;
            size = 0;
            open = true;
        }

        boolean has(TableName t) {
            for (int i = 0; i < size; i++) {
                if (Patterns.sameTable(tables[i], t)) {
                    return true;
                }
            }
            return false;
        }
    }

    @Override
    public Set<StatementKind> kinds() {
        return KINDS;
    }

    /** It reads statements in transactions only: under autocommit nothing is recorded for it. */
    @Override
    public boolean onlyInTransactions() {
        return true;
    }

    @Override
    public boolean activeFor(GuardConfig config) {
        return config.enabled(RuleId.LOCK_ORDER);
    }

    @Override
    public void onExecution(ExecutionFact f) {
        if (!f.inTransaction()) {
            return;
        }
        SqlShape shape = f.shape();
        if (shape.kind() == StatementKind.SELECT && shape.lock() == LockMode.NONE
                || f.outcome().type() == Outcome.Type.FAILED || shape.structure() == null
                || shape.structure().table() == null || !f.connection().config().enabled(RuleId.LOCK_ORDER)) {
            return;
        }
        ThreadMemory m = memory.current();
        Sequence seq = m.lockSequence;
        long conn = f.connection().id();
        if (seq == null) {
            seq = new Sequence();
            m.lockSequence = seq;
        }
        if (!seq.open || seq.connection != conn || seq.transaction != f.transactionId()) {
            seq.start(conn, f.transactionId());
        }
        TableName table = shape.structure().table();
        if (seq.size == TABLES || seq.has(table)) {
            return;
        }
        seq.tables[seq.size] = table;
        seq.sites[seq.size] = sites.site(shape, f.connection().config());
        seq.sql[seq.size] = Patterns.sqlText(f);
        seq.size++;
    }

    @Override
    public void onTransactionEnd(TransactionEvent event) {
        ThreadMemory m = memory.current();
        Sequence seq = m.lockSequence;
        if (seq == null || !seq.open || seq.connection != event.connection().id()
                || seq.transaction != event.transactionId()) {
            return;
        }
        seq.open = false;
        if (seq.size < 2) {
            return;
        }
        List<Order> fresh = null;
        List<String> freshSql = null;
        for (int i = 0; i < seq.size; i++) {
            for (int j = i + 1; j < seq.size; j++) {
                if (seq.sites[i] == null || seq.sites[j] == null) {
                    continue; // a place not known: nothing to compare it by
                }
                List<Object> pairs = orders.get(seq.probe.set(seq.tables[i], seq.tables[j], seq.sites[i], seq.sites[j]));
                if (pairs == null) {
                    if (fresh == null) {
                        fresh = new ArrayList<>(2);
                        freshSql = new ArrayList<>(2);
                    }
                    fresh.add(seq.probe.copy());
                    freshSql.add(seq.sql[j]);
                } else {
                    for (Object place : pairs) { // a known deadlock-in-waiting taken once more: counted
                        reporter.occurred(RuleId.LOCK_ORDER, place, () -> null);
                    }
                }
            }
        }
        if (fresh != null) {
            List<Order> found = fresh;
            List<String> sql = freshSql;
            GuardThreads threads = event.connection().dataSource().runtime().threads();
            String thread = Thread.currentThread().getName();
            long time = System.currentTimeMillis();
            String database = event.connection().dialect().database();
            reporter.later(threads, () -> compare(found, sql, thread, time, database));
        }
    }

    /** On the guard's thread: keeps the new orders and reports each that another place took the other way. */
    private void compare(List<Order> found, List<String> sql, String thread, long time, String database) {
        List<Order[]> opposite = new ArrayList<>();
        List<String> oppositeSql = new ArrayList<>();
        synchronized (orders) { // two places that took opposite orders at once must see each other
            for (int k = 0; k < found.size(); k++) {
                Order o = found.get(k);
                if (orders.containsKey(o)) {
                    continue; // another transaction of the same place got here first
                }
                if (orders.size() >= MAX_ORDERS) {
                    orders.clear();
                }
                List<Object> mine = new java.util.concurrent.CopyOnWriteArrayList<>();
                for (Map.Entry<Order, List<Object>> e : orders.entrySet()) {
                    Order other = e.getKey();
                    if (Patterns.sameTable(other.first, o.second) && Patterns.sameTable(other.second, o.first)) {
                        opposite.add(new Order[] {o, other});
                        oppositeSql.add(sql.get(k));
                        Object place = placeOf(o, other);
                        mine.add(place);
                        e.getValue().add(place);
                    }
                }
                orders.put(o, mine);
            }
        }
        for (int k = 0; k < opposite.size(); k++) {
            report(opposite.get(k)[0], opposite.get(k)[1], oppositeSql.get(k), thread, time, database);
        }
    }

    /** One place per pair, whichever of the two was seen first: the two orders, in a fixed order. */
    private static Object placeOf(Order a, Order b) {
        return a.toString().compareTo(b.toString()) < 0 ? List.of(a, b) : List.of(b, a);
    }

    private void report(Order mine, Order other, String sql, String thread, long time, String database) {
        Object place = placeOf(mine, other);
        String a = mine.first.toString();
        String b = mine.second.toString();
        String message = "[lock-order] " + a + ", " + b + ": one transaction locks rows of " + a + " at "
                + mine.firstSite + " and then of " + b + " at " + mine.secondSite + "; another locks " + b + " at "
                + other.firstSite + " and then " + a + " at " + other.secondSite + ". Run at the same time, each"
                + " holds its first table's rows while it waits for the other's: a deadlock (1213; 40P01 on PostgreSQL), and one of them is"
                + " rolled back. Fix: lock the tables in one order in every transaction (" + a + " before " + b
                + " everywhere, for instance by reading the " + a + " rows FOR UPDATE first), and retry the unit of"
                + " work on the deadlock (io.jdbcguard.Retry does).";
        reporter.occurred(RuleId.LOCK_ORDER, place, () -> Findings.of(database, RuleId.LOCK_ORDER, Finding.Level.WARN, message,
                a + "," + b, List.of(), other.firstSite, mine.firstSite, null, sql,
                null), thread, time);
    }
}
