package io.jdbcguard.rules;

import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.sql.SqlShape;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the locking statements of transactions ran (locking reads, INSERT, UPDATE, DELETE), per normalised text:
 * for the lock rules' findings, and to name the application's place of the other side of a deadlock, which the
 * server reports by its SQL text alone. A text is walked for its first {@link CallSiteSampler#LEARNING}
 * executions (a test suite's run names every place) and one in {@link CallSiteSampler#RESAMPLE} after that; in
 * between a text known at one place stands in with it, and one known at several has no site (its occurrence
 * is not placed). Bounded: at most
 * {@link #MAX_TEXTS} texts, {@link CallSiteSampler#PLACES} places each.
 */
final class LockingSites {

    static final int MAX_TEXTS = 8192;

    private final ConcurrentHashMap<String, Places> texts = new ConcurrentHashMap<>();
    /** Sites found above an ORM's flush at commit: the write ran when its transaction committed (bounded). */
    private final java.util.Set<StackTraceElement> flushed = ConcurrentHashMap.newKeySet();

    /** Where one statement text ran: its executions, and the places walked. */
    private static final class Places {
        int executions;
        volatile StackTraceElement[] known = new StackTraceElement[0];

        void learned(StackTraceElement site) {
            StackTraceElement[] p = known;
            for (StackTraceElement s : p) {
                if (s.equals(site)) {
                    return;
                }
            }
            StackTraceElement[] next = p.length < CallSiteSampler.PLACES ? Arrays.copyOf(p, p.length + 1)
                    : Arrays.copyOfRange(p, 1, p.length + 1); // the oldest place makes room
            next[next.length - 1] = site;
            known = next;
        }
    }

    /** The statement's site: walked while its text is new or re-sampled, else its one known place, else none. */
    StackTraceElement site(SqlShape shape, GuardConfig config) {
        Places p = texts.get(shape.normalized());
        if (p == null) {
            if (texts.size() >= MAX_TEXTS) {
                texts.clear();
            }
            p = texts.computeIfAbsent(shape.normalized(), k -> new Places());
        }
        int n = ++p.executions; // racy by design: a lost increment only shifts the sampling
        if (n > CallSiteSampler.LEARNING && n % CallSiteSampler.RESAMPLE != 0) {
            StackTraceElement[] known = p.known;
            return known.length == 1 ? known[0] : null;
        }
        if (flushed.size() > 1024) {
            flushed.clear();
        }
        StackTraceElement site = CallSites.capture(config.appPackages(), flushed);
        p.learned(site);
        return site;
    }

    /** Whether a site is where an ORM flushed a write when the transaction committed (so the finding says so). */
    boolean flushedAtCommit(StackTraceElement site) {
        return site != null && flushed.contains(site);
    }

    /** The places a text was seen at (none if never). */
    StackTraceElement[] placesOf(String normalized) {
        Places p = texts.get(normalized);
        return p == null ? new StackTraceElement[0] : p.known;
    }
}
