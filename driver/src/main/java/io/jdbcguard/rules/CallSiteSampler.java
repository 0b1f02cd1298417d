package io.jdbcguard.rules;

import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Mode;
import io.jdbcguard.sql.SqlShape;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the statements of a pattern ran. A stack walk costs microseconds (about 20 µs of CPU for a cold one
 * end to end, more on deep Spring and Hibernate stacks), so the guard walks for places not yet known and
 * for patterns not yet proven, never per statement in steady state, however many places run one SQL:
 * <ul>
 * <li>An SQL text (normalised, so literal variants share it) that can open a pattern keeps the places it
 *     was walked at (the last {@link #PLACES}). It is walked for its first {@link #SAMPLED} executions; for
 *     its first {@link #LEARNING} while it is known at several places, or, a check (a read that found no
 *     row), until it has completed {@link #SAMPLED} patterns with both sites walked at one place; then one
 *     execution in {@link #RESAMPLE} (a read that found its row, the start of a possible lost update on
 *     every load by id: one in {@link #READ_RESAMPLE}) to find new places. In between it stands in with its
 *     one place, or, known at several, with {@link #SEVERAL}: which one is settled only if a pattern
 *     completes. So a test suite, which runs an SQL a few hundred times, names every occurrence's sites,
 *     the first included; a hot path pays one walk in hundreds.</li>
 * <li>A pair of texts (opener, write) that completes patterns keeps the combinations of their two sites it
 *     was walked at. The write is walked until the pair has completed {@link #SAMPLED} patterns, then one
 *     time in {@link #RESAMPLE}; in between a known opener site stands in for its one write site, and an
 *     opener known only as {@link #SEVERAL} for the pair's one combination (counted at the one place its
 *     SQL pair has been seen at, until a re-sample finds another).</li>
 * <li>Where the write is walked and the opener stood in, the opener's site is the place it stood in for if
 *     the write's method or a known combination confirms it, else its SQL's one known place in the write's
 *     method, else the opener of the one combination with this write site. If none is, the occurrence goes
 *     unreported rather than reported at a wrong place, and the opener's SQL is walked for its next
 *     {@link #BUDGET} executions, so that its next occurrence names its sites.</li>
 * </ul>
 * Strict mode walks every time. A place's finding is only ever built from walked or confirmed sites.
 */
final class CallSiteSampler {

    static final int SAMPLED = 8;
    /** One execution in this many walks a check or pair that stands in, to find a new place of it. */
    static final int RESAMPLE = 256;
    /**
     * The same for a read that found its row: far more frequent (every load by id), and only a possible
     * start of a lost update, so re-walked more rarely.
     */
    static final int READ_RESAMPLE = 1024;
    /**
     * Executions walked of an SQL known at several places, or of a check not proven by completed patterns
     * ("is it there?"), before they stand in.
     */
    static final int LEARNING = 1024;
    /** Executions walked after an occurrence went unreported for want of its opener's site. */
    static final int BUDGET = 16;
    /** Places kept per SQL text, and combinations per pair. */
    static final int PLACES = 8;
    private static final int MAX_TRACKED = 8192;

    /** What an opener's site stands in as while its SQL is known at several places. */
    static final StackTraceElement SEVERAL = new StackTraceElement("(one of several places)", "unknown", null, -1);

    /** One SQL text (normalised) that opens patterns: where it was walked, how often. */
    private static final class ReadSites {
        int executions;
        /** The places it was walked at, copy on write, at most {@link #PLACES}. */
        volatile StackTraceElement[] places = new StackTraceElement[0];
        /** Patterns this SQL's check completed with both sites walked while it had one place. */
        volatile int walkedCompletions;
        /** Executions still to walk (after an unreported occurrence). */
        volatile int budget;
        /** The writes that completed this SQL's patterns, by their normalised text. */
        final ConcurrentHashMap<String, PairSites> pairs = new ConcurrentHashMap<>(4);

        void learned(StackTraceElement site) {
            StackTraceElement[] p = places;
            for (StackTraceElement known : p) {
                if (known.equals(site)) {
                    return;
                }
            }
            StackTraceElement[] next = p.length < PLACES ? Arrays.copyOf(p, p.length + 1)
                    : Arrays.copyOfRange(p, 1, p.length + 1); // the oldest place makes room
            next[next.length - 1] = site;
            places = next;
        }
    }

    /** Two sites that formed a pattern together. */
    private record Combination(StackTraceElement opener, StackTraceElement write) {
    }

    /** One pair of texts (opener, write) that formed patterns: the combinations of sites walked. */
    private static final class PairSites {
        int completions;
        volatile Combination[] combinations = new Combination[0];

        void learned(StackTraceElement opener, StackTraceElement write) {
            Combination[] c = combinations;
            for (Combination known : c) {
                if (known.opener.equals(opener) && known.write.equals(write)) {
                    return;
                }
            }
            Combination[] next = c.length < PLACES ? Arrays.copyOf(c, c.length + 1) : Arrays.copyOfRange(c, 1, c.length + 1);
            next[next.length - 1] = new Combination(opener, write);
            combinations = next;
        }

        /** The one write site this opener site was seen with, or null (none, or several). */
        StackTraceElement writeFor(StackTraceElement opener) {
            StackTraceElement found = null;
            for (Combination c : combinations) {
                if (c.opener.equals(opener)) {
                    if (found != null) {
                        return null;
                    }
                    found = c.write;
                }
            }
            return found;
        }

        /** The one opener site this write site was seen with, or null. */
        StackTraceElement openerFor(StackTraceElement write) {
            StackTraceElement found = null;
            for (Combination c : combinations) {
                if (c.write.equals(write)) {
                    if (found != null && !found.equals(c.opener)) {
                        return null;
                    }
                    found = c.opener;
                }
            }
            return found;
        }
    }

    private final ConcurrentHashMap<String, ReadSites> reads = new ConcurrentHashMap<>();
    private final LongAdder walks;

    CallSiteSampler(LongAdder walks) {
        this.walks = walks;
    }

    /** Write sites found above an ORM's flush at commit: this guard's, bounded. */
    private final java.util.Set<StackTraceElement> flushed = ConcurrentHashMap.newKeySet();

    private StackTraceElement walk(GuardConfig config) {
        walks.increment();
        return CallSites.capture(config.appPackages(), flushed.size() < 4096 ? flushed : null);
    }

    /** Whether the statement at this site was written by the ORM when the application's wrapper committed. */
    boolean flushedAtCommit(StackTraceElement site) {
        return site != null && flushed.contains(site);
    }

    /**
     * The site that stands in for this execution of a statement that can open a pattern (a check, or a read
     * that found its row): its SQL's one place, or {@link #SEVERAL}; {@code null} when this one is to be
     * walked ({@link #walkOpener}).
     */
    StackTraceElement standIn(SqlShape shape, GuardConfig config, boolean check) {
        if (config.mode() == Mode.STRICT) {
            return null;
        }
        ReadSites st = reads(shape);
        int n = st.executions++;
        StackTraceElement[] places = st.places;
        if (places.length == 0) {
            return null;
        }
        if (st.budget > 0) {
            st.budget--;
            return null;
        }
        boolean learning = n < SAMPLED
                || n < LEARNING && (places.length > 1 || check && st.walkedCompletions < SAMPLED);
        if (learning || n % (check ? RESAMPLE : READ_RESAMPLE) == 0) {
            return null;
        }
        return places.length == 1 ? places[0] : SEVERAL;
    }

    /** Walks the site of this execution of a statement that can open a pattern, and learns from it. */
    StackTraceElement walkOpener(SqlShape shape, GuardConfig config) {
        StackTraceElement walked = walk(config);
        reads(shape).learned(walked);
        return walked;
    }

    /**
     * The site of the statement that completes a pattern the opener started, or {@code null} when this
     * occurrence must go unreported (its opener's site cannot be told). Settles the opener's site where it
     * stood in ({@link ThreadMemory.Opener#site}).
     */
    StackTraceElement writeSite(ThreadMemory.Opener o, SqlShape write, GuardConfig config) {
        boolean strict = config.mode() == Mode.STRICT;
        ReadSites st = reads(o.fact.shape());
        PairSites pair = st.pairs.get(write.normalized());
        if (pair == null) {
            if (st.pairs.size() >= 64) {
                st.pairs.clear();
            }
            pair = st.pairs.computeIfAbsent(write.normalized(), k -> new PairSites());
        }
        int n = pair.completions++;
        if (!strict && n >= SAMPLED && n % RESAMPLE != 0) {
            if (o.site == SEVERAL) {
                Combination[] c = pair.combinations;
                if (c.length == 1) {
                    o.site = c[0].opener;
                    return c[0].write;
                }
            } else {
                StackTraceElement known = pair.writeFor(o.site);
                if (known != null) {
                    return known;
                }
            }
        }
        StackTraceElement walked = walk(config);
        if (!o.walked) {
            StackTraceElement resolved = resolve(o.site, walked, st, pair);
            if (resolved == null) {
                st.budget = BUDGET;
                return null;
            }
            o.site = resolved;
        }
        pair.learned(o.site, walked);
        StackTraceElement[] places = st.places;
        if (o.walked && places.length == 1 && o.site.equals(places[0])) {
            st.walkedCompletions++;
        }
        return walked;
    }

    /** The opener's site, from the walked write: confirmed, or found among what is known; null if not told. */
    private static StackTraceElement resolve(StackTraceElement stoodIn, StackTraceElement write, ReadSites st,
                                             PairSites pair) {
        if (stoodIn != SEVERAL && (Patterns.sameMethod(stoodIn, write) || write.equals(pair.writeFor(stoodIn)))) {
            return stoodIn;
        }
        StackTraceElement inMethod = null;
        for (StackTraceElement p : st.places) {
            if (Patterns.sameMethod(p, write)) {
                if (inMethod != null) {
                    inMethod = null; // two places in the write's method: cannot tell which
                    break;
                }
                inMethod = p;
            }
        }
        return inMethod != null ? inMethod : pair.openerFor(write);
    }

    private ReadSites reads(SqlShape shape) {
        ReadSites st = reads.get(shape.normalized());
        if (st == null) {
            if (reads.size() >= MAX_TRACKED) {
                reads.clear();
            }
            st = reads.computeIfAbsent(shape.normalized(), k -> new ReadSites());
        }
        return st;
    }
}
