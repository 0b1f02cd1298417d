package io.jdbcguard.rules;

import io.jdbcguard.Finding;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.fact.TransactionEvent;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code observed-race}: under concurrent traffic, a race that actually happened between two overlapping
 * transactions of different threads (see {@link RaceWindow} for the three races it recognises). ERROR.
 *
 * <p>On the application's thread each transaction's reads and writes of single rows by key are noted in its
 * thread's {@link ObservedTx} (reused, values kept as hashes); nothing leaves the thread when the transaction
 * ran alone (no other transaction was open when it started, and none started before it ended). A transaction
 * that overlapped another is copied at its end and handed to the guard's threads, where {@link RaceWindow}
 * compares it with the recent transactions it overlapped.
 */
final class ObservedRaceRule implements FactListener {

    private static final Set<StatementKind> KINDS = EnumSet.of(StatementKind.SELECT, StatementKind.INSERT,
            StatementKind.UPDATE, StatementKind.DELETE);
    private static final Set<StatementKind> FAILURES = EnumSet.of(StatementKind.INSERT);

    private final PatternMemory memory;
    private final LockingSites sites = new LockingSites();
    private final Reporter reporter;
    private final RaceWindow window;
    /**
     * How many transactions have started, ever (high bits), and how many are being noted now (low
     * {@link #OPEN_BITS} bits), in one atomic: read apart, a transaction that started at the same moment as
     * another could see neither the other open nor a start after its own, and the pair went uncompared.
     */
    private final AtomicLong state = new AtomicLong();
    private static final int OPEN_BITS = 24;
    private static final long OPEN_MASK = (1L << OPEN_BITS) - 1;
    /**
     * Ended transactions that overlapped another, waiting for the guard's thread; past {@link #MAX_QUEUED} (the
     * guard's thread cannot keep up) new ones are dropped, not compared.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<RaceWindow.Done> ended =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicInteger queued = new AtomicInteger();
    static final int MAX_QUEUED = 4096;
    /**
     * How long a drain waits before it compares: under load a wake-up of the guard's thread per transaction cost
     * more than the comparisons (W2 on two cores); this way it wakes at most 50 times a second.
     */
    static final long DRAIN_DELAY_MS = 20;

    ObservedRaceRule(PatternMemory memory, Reporter reporter) {
        this.memory = memory;
        this.reporter = reporter;
        this.window = new RaceWindow(reporter, sites::flushedAtCommit);
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
    public Set<StatementKind> failureKinds() {
        return FAILURES;
    }

    @Override
    public boolean activeFor(GuardConfig config) {
        return config.enabled(RuleId.OBSERVED_RACE);
    }

    @Override
    public void onExecution(ExecutionFact f) {
        if (!f.inTransaction()) {
            return;
        }
        SqlShape shape = f.shape();
        Structure s = shape.structure();
        if (s == null || s.table() == null || !f.connection().config().enabled(RuleId.OBSERVED_RACE)) {
            return;
        }
        Outcome o = f.outcome();
        boolean duplicate = o.type() == Outcome.Type.FAILED;
        if (duplicate && !f.connection().dialect().duplicateKey(o.vendorCode(), o.sqlState())) {
            return; // a failed write that did not lose a race
        }
        ObservedTx tx = current(f);
        switch (shape.kind()) {
            case SELECT:
                if (o.type() == Outcome.Type.ROWS && !s.keyEqualities().isEmpty() && !s.otherPredicates()) {
                    tx.read(f, s, site(f));
                }
                break;
            case INSERT:
                if (!s.insertColumns().isEmpty() && s.insertRows().size() == 1) {
                    tx.insert(f, s, duplicate, site(f));
                }
                break;
            case UPDATE:
                if (o.type() == Outcome.Type.UPDATE_COUNT && o.updateCount() > 0 && !s.keyEqualities().isEmpty()) {
                    tx.update(f, s, site(f));
                }
                break;
            default:
                break;
        }
    }

    private StackTraceElement site(ExecutionFact f) {
        return sites.site(f.shape(), f.connection().config());
    }

    /** The calling thread's transaction record, started for this fact's transaction if it is a new one. */
    private ObservedTx current(ExecutionFact f) {
        ThreadMemory m = memory.current();
        ObservedTx tx = m.observedTx;
        if (tx == null) {
            tx = new ObservedTx();
            m.observedTx = tx;
        }
        long conn = f.connection().id();
        if (!tx.open || tx.connection != conn || tx.transaction != f.transactionId()) {
            if (tx.open) {
                end(tx, false); // its end went unseen (another connection's transaction began on this thread)
            }
            long now = state.addAndGet((1L << OPEN_BITS) + 1);
            tx.start(conn, f.transactionId(), now >>> OPEN_BITS, (now & OPEN_MASK) > 1, f.endNanos(),
                    Thread.currentThread().getName(), f.connection().config().logValues());
        }
        return tx;
    }

    @Override
    public void onTransactionEnd(TransactionEvent event) {
        ThreadMemory m = memory.current();
        ObservedTx tx = m.observedTx;
        if (tx == null || !tx.open || tx.connection != event.connection().id()
                || tx.transaction != event.transactionId()) {
            return;
        }
        end(tx, event.type() == TransactionEvent.Type.COMMIT || event.type() == TransactionEvent.Type.IMPLICIT_COMMIT);
        // A transaction that wrote nothing is in no race (each needs both sides to write): nothing to hand over.
        if (tx.overlapped && tx.wrote()) {
            if (queued.incrementAndGet() > MAX_QUEUED) {
                queued.decrementAndGet();
                return;
            }
            ended.add(tx.done(System.currentTimeMillis(), event.connection().dialect().database()));
            if (draining.compareAndSet(false, true)) {
                reporter.later(event.connection().dataSource().runtime().threads(), this::drain);
            }
        }
    }

    /**
     * On the guard's thread: compares every ended transaction queued so far. One drain at a time, started only
     * when none runs, and only after {@link #DRAIN_DELAY_MS}, so that under load the application's threads hand
     * transactions over without waking a thread each.
     */
    private void drain() {
        try {
            Thread.sleep(DRAIN_DELAY_MS); // gathers the transactions that end meanwhile: one wake-up for many
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        do {
            for (RaceWindow.Done d = ended.poll(); d != null; d = ended.poll()) {
                queued.decrementAndGet();
                try {
                    window.ended(d);
                } catch (RuntimeException e) {
                    io.jdbcguard.internal.InternalErrors.record("comparing an ended transaction", e);
                }
            }
            draining.set(false);
        } while (!ended.isEmpty() && draining.compareAndSet(false, true));
    }

    /** Ends the record: it overlapped another transaction if one was open at its start or one started since. */
    private void end(ObservedTx tx, boolean committed) {
        tx.open = false;
        tx.committed = committed;
        long now = state.getAndDecrement();
        tx.overlapped = tx.othersAtStart || now >>> OPEN_BITS != tx.startSeq || (now & OPEN_MASK) > 1;
    }
}
