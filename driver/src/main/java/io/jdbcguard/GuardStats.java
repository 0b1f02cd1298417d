package io.jdbcguard;

import io.jdbcguard.internal.Counters;
import io.jdbcguard.internal.InternalErrors;

/** Run-time counts of this JVM's guard, readable from code. */
public final class GuardStats {

    private GuardStats() {
    }

    /** How many statements passed through guarded connections. */
    public static long statements() {
        return Counters.STATEMENTS.sum();
    }

    /** How many internal errors the guard contained (each logged once per place and kind on {@code jdbcguard}). */
    public static long internalErrors() {
        return InternalErrors.count();
    }
}
