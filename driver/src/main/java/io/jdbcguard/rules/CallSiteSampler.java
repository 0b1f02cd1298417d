package io.jdbcguard.rules;

import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Mode;
import io.jdbcguard.sql.SqlShape;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the statements of a pattern ran. A stack walk costs microseconds (measured in the end-to-end
 * benchmark: about 20 µs of CPU for a cold one, a quarter of what the driver spends on a whole
 * check-then-insert transaction), so sites are walked until they have proved stable, then stand in, and
 * are walked again one time in {@link #RESAMPLE} (a read that found its row: one in {@link #READ_RESAMPLE}):
 * <ul>
 * <li>a read that found its row: walked for the first {@link #SAMPLED} executions of its SQL
 *     (normalised, so literal variants share it);</li>
 * <li>a check (a read that found no row): walked until its SQL has completed {@link #SAMPLED} patterns
 *     with both statements walked, all at one place (a check that never completes a pattern, such as a
 *     read path that only asks "is it there?", is walked every time);</li>
 * <li>the statement completing a pattern: walked until that pair of SQL texts has completed
 *     {@link #SAMPLED} patterns, all at the same two sites.</li>
 * </ul>
 * A walk that finds a second place for an SQL (or a pair) makes it walked every time from then on; strict
 * mode walks every time. A place's finding, the line logged, is only ever made from walked sites: a site
 * stands in only for a place already found. A pattern whose opener stood in and whose write was walked in
 * another method goes unreported rather than reported at a wrong place.
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
    private static final int MAX_TRACKED = 8192;

    /** One SQL text (normalised) that opens patterns: where it was walked, how often. */
    private static final class ReadSites {
        int executions;
        volatile StackTraceElement site;
        volatile boolean severalPlaces;
        /** Patterns this SQL's check completed with both sites walked, at {@link #site}. */
        volatile int walkedCompletions;
        /** The writes that completed this SQL's patterns, by their normalised text. */
        final ConcurrentHashMap<String, PairSites> pairs = new ConcurrentHashMap<>(4);
    }

    /** One pair of texts (opener, write) that formed patterns: the two sites of the last walk. */
    private static final class PairSites {
        int completions;
        volatile StackTraceElement opener;
        volatile StackTraceElement write;
        volatile boolean severalPlaces;
    }

    private final ConcurrentHashMap<String, ReadSites> reads = new ConcurrentHashMap<>();
    private final LongAdder walks;

    CallSiteSampler(LongAdder walks) {
        this.walks = walks;
    }

    private StackTraceElement walk(GuardConfig config) {
        walks.increment();
        return CallSites.capture(config.appPackages());
    }

    /**
     * The site that stands in for this execution of a statement that can open a pattern (a check, or a read
     * that found its row), or {@code null} when this one is to be walked ({@link #walkOpener}).
     */
    StackTraceElement standIn(SqlShape shape, GuardConfig config, boolean check) {
        if (config.mode() == Mode.STRICT) {
            return null;
        }
        ReadSites st = reads(shape);
        int n = st.executions++;
        StackTraceElement last = st.site;
        boolean proven = check ? st.walkedCompletions >= SAMPLED : n >= SAMPLED;
        return last != null && !st.severalPlaces && proven && n % (check ? RESAMPLE : READ_RESAMPLE) != 0 ? last : null;
    }

    /** Walks the site of this execution of a statement that can open a pattern, and learns from it. */
    StackTraceElement walkOpener(SqlShape shape, GuardConfig config) {
        StackTraceElement walked = walk(config);
        ReadSites st = reads(shape);
        StackTraceElement last = st.site;
        if (last != null && !last.equals(walked)) {
            st.severalPlaces = true;
        }
        st.site = walked;
        return walked;
    }

    /**
     * The site of the statement that completes a pattern the opener started, or {@code null} when this
     * occurrence must go unreported: the opener's site stood in and is not in the write's own method
     * (from then on the opener's SQL is walked every time, so the next occurrence names its real site).
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
        StackTraceElement known = pair.write;
        if (!strict && known != null && !pair.severalPlaces && n >= SAMPLED && n % RESAMPLE != 0
                && o.site.equals(pair.opener)) {
            return known;
        }
        StackTraceElement walked = walk(config);
        if (!o.walked && !Patterns.sameMethod(o.site, walked)) {
            st.severalPlaces = true;
            pair.severalPlaces = true;
            return null;
        }
        if (known != null && (!known.equals(walked) || !o.site.equals(pair.opener))) {
            pair.severalPlaces = true;
        }
        pair.opener = o.site;
        pair.write = walked;
        if (o.walked && o.site.equals(st.site)) {
            st.walkedCompletions++;
        }
        return walked;
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
