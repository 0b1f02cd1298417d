package io.jdbcguard.rules;

import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Mode;
import io.jdbcguard.sql.SqlShape;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where statements that can open a pattern ran. A check's site (a read that found no row: almost always
 * followed by its write) is walked every time. A read that found its row is walked for the first
 * {@link #SAMPLED} executions of its SQL (normalised, so literal variants share it) and every
 * {@link #RESAMPLE}th after that; once its SQL was seen at a second place, or a pattern met a site
 * that stood in, every time. Strict mode walks every time.
 */
final class CallSiteSampler {

    static final int SAMPLED = 8;
    /**
     * A walk costs microseconds, so re-sampling is rare: it only finds a second place sooner. Correctness
     * does not rest on it: a pattern whose read site stood in is never reported at another method's place.
     */
    static final int RESAMPLE = 1024;
    private static final int MAX_TRACKED = 8192;

    /** A site, and whether it was walked for this very execution (else it stands in from an earlier one). */
    record Site(StackTraceElement element, boolean walked) {
    }

    private static final class ReadSites {
        int executions;
        volatile StackTraceElement site;
        volatile boolean severalPlaces;
    }

    private final ConcurrentHashMap<String, ReadSites> reads = new ConcurrentHashMap<>();

    Site site(SqlShape shape, GuardConfig config, boolean check) {
        if (check || config.mode() == Mode.STRICT) {
            return new Site(CallSites.capture(config.appPackages()), true);
        }
        ReadSites st = reads(shape);
        int n = st.executions++;
        StackTraceElement last = st.site;
        if (last != null && !st.severalPlaces && n >= SAMPLED && n % RESAMPLE != 0) {
            return new Site(last, false);
        }
        StackTraceElement walked = CallSites.capture(config.appPackages());
        if (last != null && !last.equals(walked)) {
            st.severalPlaces = true;
        }
        st.site = walked;
        return new Site(walked, true);
    }

    /** From now on the read's SQL is walked every time. */
    void severalPlaces(SqlShape shape) {
        reads(shape).severalPlaces = true;
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
