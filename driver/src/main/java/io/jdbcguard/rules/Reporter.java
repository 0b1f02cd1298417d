package io.jdbcguard.rules;

import io.jdbcguard.config.RuleId;
import io.jdbcguard.internal.GuardLog;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns findings into log lines: one finding, one place (rule, table, call sites), across every
 * connection and data source of the JVM, is logged once, then counted. Formatting a finding is the
 * rules' business; writing it is this class's.
 */
public final class Reporter {

    /** Places beyond this many are counted per rule but no longer logged: a bound on memory. */
    static final int MAX_PLACES = 10_000;

    private static final Map<RuleId, Map<String, Place>> PLACES = new EnumMap<>(RuleId.class);
    private static final java.util.concurrent.atomic.AtomicInteger PLACE_COUNT = new java.util.concurrent.atomic.AtomicInteger();
    private static final Map<RuleId, LongAdder> BY_RULE = new EnumMap<>(RuleId.class);
    private static final Map<RuleId, Logger> LOGGERS = new EnumMap<>(RuleId.class);

    static {
        for (RuleId r : RuleId.values()) {
            PLACES.put(r, new ConcurrentHashMap<>());
            BY_RULE.put(r, new LongAdder());
            LOGGERS.put(r, LoggerFactory.getLogger("jdbcguard." + r.id()));
        }
    }

    /** A place's first finding and how often it has occurred. */
    static final class Place {
        /** {@code null} while the finding waits for what decides it (a table's indexes). */
        volatile Finding first;
        final LongAdder count = new LongAdder();

        Place(Finding first) {
            this.first = first;
        }
    }

    private Reporter() {
    }

    /**
     * Counts an occurrence at a place; on the first one, builds the finding (only then: building may read
     * index metadata) and logs it. Returns the place's first finding, or {@code null} when the builder
     * declined (no finding after all).
     */
    static Finding occurred(RuleId rule, String placeKey, Supplier<Finding> build) {
        Map<String, Place> places = PLACES.get(rule);
        Place place = places.get(placeKey);
        if (place == null) {
            Finding f = build.get();
            if (f == null) {
                return null;
            }
            if (PLACE_COUNT.get() >= MAX_PLACES) {
                BY_RULE.get(rule).increment();
                return f;
            }
            Place mine = new Place(f);
            place = places.putIfAbsent(placeKey, mine);
            if (place == null) {
                PLACE_COUNT.incrementAndGet();
                place = mine;
                log(f);
            }
        }
        place.count.increment();
        BY_RULE.get(rule).increment();
        return place.first;
    }

    private static void log(Finding f) {
        GuardLog.Level level = f.level() == Finding.Level.ERROR ? GuardLog.Level.ERROR
                : f.level() == Finding.Level.WARN ? GuardLog.Level.WARN : GuardLog.Level.INFO;
        GuardLog.log(LOGGERS.get(f.rule()), level, f.message(),
                "rule", f.rule().id(),
                "table", f.table(),
                "columns", f.columns() == null || f.columns().isEmpty() ? null : String.join(",", f.columns()),
                "checkSite", f.checkSite() == null ? null : f.checkSite().toString(),
                "writeSite", f.writeSite() == null ? null : f.writeSite().toString(),
                "isolation", f.isolation() == null ? null : f.isolation().name(),
                "sql", f.sql(),
                "checkSql", f.checkSql());
    }

    /**
     * Like {@link #occurred}, for a finding that depends on something still being read: the occurrence
     * is counted now, and on a place's first occurrence the finding is built and logged when
     * {@code ready} completes (on the thread that completes it; never on the caller's, which does not
     * wait). Returns the place's finding if already built, else {@code provisional} (which may be null).
     */
    static Finding occurredWhen(RuleId rule, String placeKey, java.util.concurrent.CompletableFuture<?> ready,
                                Supplier<Finding> build, Finding provisional) {
        Map<String, Place> places = PLACES.get(rule);
        Place place = places.get(placeKey);
        if (place == null) {
            if (PLACE_COUNT.get() >= MAX_PLACES) {
                BY_RULE.get(rule).increment();
                return provisional;
            }
            Place mine = new Place(null);
            place = places.putIfAbsent(placeKey, mine);
            if (place == null) {
                PLACE_COUNT.incrementAndGet();
                place = mine;
                pending(+1);
                ready.whenComplete((v, t) -> {
                    try {
                        Finding f = build.get();
                        mine.first = f;
                        if (f != null) {
                            log(f);
                        } else if (places.remove(placeKey, mine)) {
                            // No finding after all (e.g. a lost update read by a key that is not unique):
                            // the occurrences counted meanwhile are withdrawn.
                            PLACE_COUNT.decrementAndGet();
                            BY_RULE.get(rule).add(-mine.count.sum());
                        }
                    } catch (Throwable e) {
                        io.jdbcguard.internal.InternalErrors.record("reporting a finding", e);
                    } finally {
                        pending(-1);
                    }
                });
            }
        }
        place.count.increment();
        BY_RULE.get(rule).increment();
        Finding first = place.first;
        return first != null ? first : provisional;
    }

    private static final Object PENDING_LOCK = new Object();
    private static int pending;

    private static void pending(int delta) {
        synchronized (PENDING_LOCK) {
            pending += delta;
            if (pending == 0) {
                PENDING_LOCK.notifyAll();
            }
        }
    }

    /** Waits until no finding waits to be logged; returns whether that happened within the time. */
    public static boolean awaitPending(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (PENDING_LOCK) {
            while (pending > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                PENDING_LOCK.wait(left);
            }
            return true;
        }
    }

    /** Findings so far per rule id (every occurrence counted). */
    public static Map<String, Long> countsByRule() {
        Map<String, Long> out = new LinkedHashMap<>();
        BY_RULE.forEach((r, n) -> out.put(r.id(), n.sum()));
        return out;
    }

    /** Occurrences per place: key {@code rule|table|sites}, value the count. */
    public static Map<String, Long> countsByPlace() {
        Map<String, Long> out = new LinkedHashMap<>();
        PLACES.forEach((rule, places) -> places.forEach((k, p) -> out.put(rule.id() + '|' + k, p.count.sum())));
        return out;
    }
}
