package io.jdbcguard.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the guard's own failures go. The guard is fail-open: an exception or error in its own code is
 * caught at the boundary of the JDBC call, logged once per place and kind on logger {@code jdbcguard}
 * with its cause, counted, and the application's call proceeds as if the guard were absent.
 */
public final class InternalErrors {

    private static final Logger LOG = LoggerFactory.getLogger("jdbcguard");
    private static final LongAdder COUNT = new LongAdder();
    private static final LongAdder CONNECTION_FAILURES = new LongAdder();
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    private static final int MAX_DISTINCT = 1000;

    private InternalErrors() {
    }

    /**
     * Records a failure of the guard's own code; never throws.
     *
     * @param where the guard's step that failed, e.g. {@code "analysis of executeQuery"}
     */
    public static void record(String where, Throwable t) {
        if (SqlStates.connectionFailure(t)) {
            // The application's connection failed (killed, closed, network): its own statement reports
            // that; it is no failure of the guard's.
            CONNECTION_FAILURES.increment();
            return;
        }
        COUNT.increment();
        try {
            String key = where + '|' + t.getClass().getName();
            if (LOGGED.size() < MAX_DISTINCT && LOGGED.add(key)) {
                LOG.error("jdbc-guard internal error in {} (the application's statement ran unaffected; "
                        + "further errors of this kind here are only counted)", where, t);
            }
        } catch (Throwable ignored) {
            // Logging itself failed: the count above is all we can do without touching the application.
        }
    }

    /** How many times a step of the guard met the application's connection failing (not internal errors). */
    public static long connectionFailures() {
        return CONNECTION_FAILURES.sum();
    }

    /** How many internal errors this JVM's guard has had. */
    public static long count() {
        return COUNT.sum();
    }
}
