package io.jdbcguard.rules;

import io.jdbcguard.fact.FactBus;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.internal.Counters;
import java.util.List;

/**
 * One guard's rules over their shared pattern memory and call-site sampler: {@link PatternRecorder}
 * (what can open a pattern), {@link IndexInvalidator}, {@link CheckThenInsertRule}, {@link LostUpdateRule},
 * {@link GapLockInsertRule}, the lock rules ({@link LockWithoutIndexRule}, {@link LockOrderRule},
 * {@link DeadlockRule}, sharing {@link LockingSites}), {@link ObservedRaceRule} (races that happened),
 * {@link LockWithoutTransactionRule}, {@link StaleReadRule} with the fresh-read repair, and
 * {@link IsolationRule}, all reporting to the guard's {@link Reporter}.
 */
public final class GuardRules {

    private final PatternMemory memory = new PatternMemory();
    private final List<FactListener> listeners;

    public GuardRules(Reporter reporter, Counters counters) {
        Patterns patterns = new Patterns(memory, new CallSiteSampler(counters.stackWalks), reporter);
        LockingSites lockingSites = new LockingSites();
        listeners = List.of(new PatternRecorder(memory, patterns.sites), new IndexInvalidator(), new CheckThenInsertRule(patterns, false),
                new CheckThenInsertRule(patterns, true), new LostUpdateRule(patterns, false), new LostUpdateRule(patterns, true),
                new GapLockInsertRule(patterns, false), new GapLockInsertRule(patterns, true), new LockWithoutTransactionRule(reporter),
                new LockWithoutIndexRule(reporter, lockingSites), new LockOrderRule(memory, lockingSites, reporter),
                new DeadlockRule(reporter, lockingSites), new ObservedRaceRule(memory, reporter),
                new StaleReadRule(memory, reporter), new DuplicateAbortsRule(memory, reporter), new IsolationRule(reporter));
    }

    /** Puts every rule on the bus. */
    public void register(FactBus bus) {
        for (FactListener l : listeners) {
            bus.register(l);
        }
    }

    /** Forgets what the calling thread did: for test isolation (a new test must not complete an old test's check). */
    public void forgetCurrentThread() {
        memory.forgetCurrentThread();
    }

    /** How many threads still hold a pattern memory of these rules (none after {@link #close}). */
    public int threadsHeld() {
        return memory.threadsHeld();
    }

    /** Empties every thread's memory. */
    public void close() {
        memory.close();
    }
}
