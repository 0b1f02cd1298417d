package io.jdbcguard.internal;

import java.util.concurrent.atomic.LongAdder;

/** One guard's run-time counters; read through {@link io.jdbcguard.GuardStats} and the guard's MXBean. */
public final class Counters {

    /** Statements that passed through the guard's connections. */
    public final LongAdder statements = new LongAdder();
    /** Reads of a table's unique indexes sent to a server. */
    public final LongAdder indexLookups = new LongAdder();
    /** Stack walks for the call sites of patterns (sampled: see the README's "Call sites"). */
    public final LongAdder stackWalks = new LongAdder();
}
