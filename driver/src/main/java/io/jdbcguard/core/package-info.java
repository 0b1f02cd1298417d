/**
 * What one guard owns ({@link io.jdbcguard.core.GuardCore}): its bus and rules, reporter, counters,
 * threads, server facts, data sources, MBean and shutdown report, and the life cycle that closes them all.
 * Internal: not API. It must not be reached from the wrappers or the rules, which get what they need
 * through their data source.
 */
package io.jdbcguard.core;
