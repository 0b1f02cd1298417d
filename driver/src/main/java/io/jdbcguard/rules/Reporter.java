package io.jdbcguard.rules;

import io.jdbcguard.Finding;
import io.jdbcguard.FindingListener;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.internal.GuardLog;
import io.jdbcguard.internal.InternalErrors;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * Counts findings per place (rule, table, call sites) across every connection and data source of the
 * JVM, and delivers every occurrence to the {@link FindingListener}s; the log line is one of them
 * ({@link #LOG}: a place's first occurrence, once). Formatting a finding is the rules' business; writing
 * it is the listeners'.
 */
public final class Reporter {

    /** Places beyond this many are counted per rule but no longer delivered: a bound on memory. */
    static final int MAX_PLACES = 10_000;
    /** Occurrences of a place held while its finding waits to be settled; more are only counted. */
    private static final int MAX_HELD = 64;

    private final Map<RuleId, Map<Object, Place>> places = new EnumMap<>(RuleId.class);
    private final AtomicInteger placeCount = new AtomicInteger();
    private final Map<RuleId, LongAdder> byRule = new EnumMap<>(RuleId.class);

    /** The log line: a place's first occurrence, on logger {@code jdbcguard.<rule-id>}. */
    static final FindingListener LOG = f -> {
        if (f.count() == 1) {
            GuardLog.Level level = f.level() == Finding.Level.ERROR ? GuardLog.Level.ERROR
                    : f.level() == Finding.Level.WARN ? GuardLog.Level.WARN : GuardLog.Level.INFO;
            GuardLog.log(LoggerFactory.getLogger("jdbcguard." + f.rule()), level,
                    f.message(),
                    "rule", f.rule(),
                    "table", f.table(),
                    "columns", f.columns().isEmpty() ? null : String.join(",", f.columns()),
                    "checkSite", f.checkSite() == null ? null : f.checkSite().toString(),
                    "writeSite", f.writeSite() == null ? null : f.writeSite().toString(),
                    "isolation", f.isolation(),
                    "sql", f.sql(),
                    "checkSql", f.checkSql(),
                    "database", f.database(),
                    "race", f.race());
        }
    };
    private final List<FindingListener> listeners = new CopyOnWriteArrayList<>(List.of(LOG));

    public Reporter() {
        for (RuleId r : RuleId.values()) {
            places.put(r, new ConcurrentHashMap<>());
            byRule.put(r, new LongAdder());
        }
    }

    /** A place's finding, how often it has occurred, and occurrences held while the finding is settled. */
    static final class Place {
        /** {@code null} while the finding waits for what decides it (a table's indexes). */
        volatile Finding first;
        final LongAdder count = new LongAdder();
        /** Thread names and times of occurrences before the finding was settled; {@code null} once settled. */
        List<Object[]> held;
        /** Set when the place is withdrawn: a thread's shortcut to it ({@link #occurredAt}) no longer counts. */
        volatile boolean removed;

        Place(Finding first) {
            this.first = first;
        }
    }

    public void addListener(FindingListener l) {
        listeners.add(l);
    }

    public void removeListener(FindingListener l) {
        listeners.remove(l);
    }

    private void deliver(Finding f) {
        for (FindingListener l : listeners) {
            try {
                l.onFinding(f);
            } catch (Throwable t) {
                InternalErrors.record("finding listener " + l.getClass().getName(), t);
            }
        }
    }

    /**
     * Counts an occurrence at a place and delivers it; on the place's first occurrence the finding is
     * built (only then: building may read index metadata). Returns the place's finding, or {@code null}
     * when the builder declined (no finding after all).
     */
    Finding occurred(RuleId rule, Object placeKey, Supplier<Finding> build) {
        return occurred(rule, placeKey, build, Thread.currentThread().getName(), System.currentTimeMillis());
    }

    /**
     * An occurrence whose counting itself waits for what decides whether it is one (a table's indexes): once
     * {@code ready} completes, {@code decide} runs on the thread that completed it, and reports through
     * {@link #occurred(RuleId, Object, Supplier, String, long)} with the application thread's name and time.
     * {@link #awaitPending} waits for it.
     */
    void whenReady(CompletableFuture<?> ready, Runnable decide) {
        pending(+1);
        ready.whenComplete((v, t) -> {
            try {
                decide.run();
            } catch (Throwable e) {
                InternalErrors.record("reporting a finding", e);
            } finally {
                pending(-1);
            }
        });
    }

    /**
     * Runs {@code decide} on the guard's threads (a comparison kept off the application's thread), which reports
     * through {@link #occurred(RuleId, Object, Supplier, String, long)}; {@link #awaitPending} waits for it.
     * Not run once the guard's threads are closed.
     */
    void later(io.jdbcguard.internal.GuardThreads threads, Runnable decide) {
        if (threads.executor().isShutdown()) {
            return;
        }
        pending(+1);
        threads.run(() -> {
            try {
                decide.run();
            } finally {
                pending(-1);
            }
        });
    }

    /** {@link #occurred(RuleId, Object, Supplier)} on behalf of an application thread, at its time. */
    Finding occurred(RuleId rule, Object placeKey, Supplier<Finding> build, String thread, long time) {
        Map<Object, Place> atRule = places.get(rule);
        Place place = atRule.get(placeKey);
        if (place == null) {
            Finding f = build.get();
            if (f == null) {
                return null;
            }
            if (placeCount.get() >= MAX_PLACES) {
                byRule.get(rule).increment();
                return f;
            }
            place = atRule.putIfAbsent(placeKey, new Place(f));
            if (place == null) {
                placeCount.incrementAndGet();
                place = atRule.get(placeKey);
            }
        }
        return count(rule, place, thread, time);
    }

    /** The place of a key, if it is kept (not past {@link #MAX_PLACES}). */
    Place placeOf(RuleId rule, Object placeKey) {
        return places.get(rule).get(placeKey);
    }

    /**
     * One more occurrence of a settled place a thread already holds (it reported the same pattern at the
     * same place just before): counted without building and hashing the place key again. Returns
     * {@code null} when the place was withdrawn or is not settled: the caller reports the long way.
     */
    Finding occurredAt(RuleId rule, Place place) {
        if (place.removed || place.first == null) {
            return null;
        }
        return count(rule, place, Thread.currentThread().getName(), System.currentTimeMillis());
    }

    /** One more occurrence of a place: counted, and delivered if its finding is settled, else held. */
    private Finding count(RuleId rule, Place place, String thread, long time) {
        Finding first;
        long n;
        // A place's occurrences reach listeners in their order: delivered under the place's lock, which the
        // settling of its first occurrence (held ones, delivered in another thread) takes too.
        synchronized (place) {
            if (place.removed) {
                return null; // withdrawn already (settled with no finding, perhaps on this very thread just now)
            }
            byRule.get(rule).increment();
            place.count.increment();
            n = place.count.sum();
            first = place.first;
            if (first == null) {
                if (place.held != null && place.held.size() < MAX_HELD) {
                    place.held.add(new Object[] {thread, time});
                }
                return null;
            }
            if (n == 1 || listeners.size() > 1) { // the log line alone wants only a place's first occurrence
                deliver(first.occurrence(n, thread, time));
            }
        }
        return first;
    }

    /**
     * Like {@link #occurred}, for a finding that depends on something still being read: the occurrence
     * is counted now, and on a place's first occurrence the finding is built and delivered when
     * {@code ready} completes (on the thread that completes it; never on the caller's, which does not
     * wait). Returns the place's finding if already settled, else {@code provisional} (may be null).
     */
    Finding occurredWhen(RuleId rule, Object placeKey, CompletableFuture<?> ready, Supplier<Finding> build,
                                Finding provisional) {
        Map<Object, Place> atRule = places.get(rule);
        Place place = atRule.get(placeKey);
        if (place == null) {
            if (placeCount.get() >= MAX_PLACES) {
                byRule.get(rule).increment();
                return provisional;
            }
            Place mine = new Place(null);
            mine.held = new ArrayList<>();
            place = atRule.putIfAbsent(placeKey, mine);
            if (place == null) {
                placeCount.incrementAndGet();
                place = mine;
                pending(+1);
                ready.whenComplete((v, t) -> settle(rule, placeKey, mine, build));
            }
        }
        Finding f = count(rule, place, Thread.currentThread().getName(), System.currentTimeMillis());
        return f != null ? f : provisional;
    }

    private void settle(RuleId rule, Object placeKey, Place place, Supplier<Finding> build) {
        try {
            Finding f = build.get();
            synchronized (place) {
                List<Object[]> held = place.held;
                place.held = null;
                place.first = f;
                if (f != null) {
                    long n = 0;
                    for (Object[] o : held) {
                        deliver(f.occurrence(++n, (String) o[0], (Long) o[1]));
                    }
                } else {
                    // No finding after all (a lost update read by a key that is not unique): withdrawn, under
                    // the place's lock, so that no occurrence is counted on it after its count is taken back.
                    place.removed = true;
                    byRule.get(rule).add(-place.count.sum());
                }
            }
            if (f == null && places.get(rule).remove(placeKey, place)) {
                placeCount.decrementAndGet();
            }
        } catch (Throwable e) {
            InternalErrors.record("reporting a finding", e);
        } finally {
            pending(-1);
        }
    }

    private final Object pendingLock = new Object();
    private int pending;

    private void pending(int delta) {
        synchronized (pendingLock) {
            pending += delta;
            if (pending == 0) {
                pendingLock.notifyAll();
            }
        }
    }

    /** Waits until no finding waits to be settled; returns whether that happened within the time. */
    public boolean awaitPending(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (pendingLock) {
            while (pending > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                pendingLock.wait(left);
            }
            return true;
        }
    }

    /** Findings so far per rule id (every occurrence counted). */
    public Map<String, Long> countsByRule() {
        Map<String, Long> out = new LinkedHashMap<>();
        byRule.forEach((r, n) -> out.put(r.id(), n.sum()));
        return out;
    }

    /** Occurrences per place: key {@code rule|table|sites}, value the count. */
    public Map<String, Long> countsByPlace() {
        Map<String, Long> out = new LinkedHashMap<>();
        places.forEach((rule, ps) -> ps.forEach((k, p) -> out.put(rule.id() + '|' + text(k), p.count.sum())));
        return out;
    }

    /** A place key as text: its parts joined by {@code |}, a list of columns by {@code ,}. */
    private static String text(Object key) {
        if (!(key instanceof List)) {
            return String.valueOf(key);
        }
        StringBuilder sb = new StringBuilder();
        for (Object part : (List<?>) key) {
            sb.append(sb.length() == 0 ? "" : "|")
                    .append(part instanceof List ? String.join(",", ((List<?>) part).stream().map(String::valueOf)
                            .toArray(String[]::new)) : String.valueOf(part));
        }
        return sb.toString();
    }
}
