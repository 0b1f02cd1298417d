/**
 * Facts: what the wrappers tell the rules. One immutable {@link io.jdbcguard.fact.ExecutionFact} per
 * execution, {@link io.jdbcguard.fact.TransactionEvent}s, delivered by {@link io.jdbcguard.fact.FactBus}
 * to {@link io.jdbcguard.fact.FactListener}s subscribed by statement kind. Listeners never see JDBC
 * wrappers; a listener's exception never reaches the application (only the strict mode's
 * {@link io.jdbcguard.UnsafePatternException} may, before a statement runs).
 */
package io.jdbcguard.fact;
