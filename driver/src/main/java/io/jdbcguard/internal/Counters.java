package io.jdbcguard.internal;

import java.util.concurrent.atomic.LongAdder;

/** The guard's run-time counters; read through {@link io.jdbcguard.GuardStats}. */
public final class Counters {

    /** Statements that passed through guarded connections. */
    public static final LongAdder STATEMENTS = new LongAdder();

    private Counters() {
    }
}
