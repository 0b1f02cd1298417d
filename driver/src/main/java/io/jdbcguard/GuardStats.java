package io.jdbcguard;

import io.jdbcguard.internal.InternalErrors;
import java.util.Map;

/** Run-time counts of the driver's guard ({@link Guard#global()}), readable from code and over JMX ({@code io.jdbcguard:type=GuardStats}). */
public final class GuardStats {

    private GuardStats() {
    }

    /** How many statements passed through guarded connections. */
    public static long statements() {
        return Guard.global().statements();
    }

    /** How many internal errors the guard contained (each logged once per place and kind on {@code jdbcguard}). */
    public static long internalErrors() {
        return InternalErrors.count();
    }

    /** Findings per rule id, every occurrence counted (a finding is logged once per place). */
    public static Map<String, Long> findingsByRule() {
        return Guard.global().findingsByRule();
    }

    /** How many times the guard read a table's unique indexes from a server (once per table, again after DDL). */
    public static long indexLookups() {
        return Guard.global().core().counters().indexLookups.sum();
    }

    /** How many stacks the guard walked to name call sites (sampled once a place is known; the README says when). */
    public static long stackWalks() {
        return Guard.global().core().counters().stackWalks.sum();
    }

    /**
     * Waits until every finding made so far is logged. A place's first finding is logged when what
     * decides its level is known (whether a unique index covers the columns, read in the background the
     * first time a table is reported): never on the application's thread, so a test that reads the log
     * right after the statement waits here first.
     *
     * @return whether none was pending any more within the time
     */
    public static boolean awaitFindings(long timeoutMillis) throws InterruptedException {
        return Guard.global().awaitFindings(timeoutMillis);
    }

    /** How many times the guard's own connection failed because the application's did (not internal errors). */
    public static long connectionFailures() {
        return InternalErrors.connectionFailures();
    }

    /** Occurrences per place, keyed {@code rule|table|call sites}. */
    public static Map<String, Long> findingsByPlace() {
        return Guard.global().findingsByPlace();
    }
}
