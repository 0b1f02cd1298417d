package io.jdbcguard.fact;

import io.jdbcguard.internal.Counters;
import io.jdbcguard.internal.GuardThreads;

/**
 * What a guard's data sources and connections share of their guard: its fact bus, counters,
 * background threads and the facts read of its servers.
 */
public record GuardRuntime(FactBus bus, Counters counters, GuardThreads threads, ServerFacts.Registry servers) {
}
