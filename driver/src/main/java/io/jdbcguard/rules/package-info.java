/**
 * The rules of DESIGN.md, as fact listeners: {@link io.jdbcguard.rules.GuardRules} (check-then-insert,
 * lost-update, lock-without-transaction, stale-read-after-duplicate and its repair) and
 * {@link io.jdbcguard.rules.IsolationRule} (risky-isolation, the server summary);
 * {@link io.jdbcguard.rules.Reporter} writes findings once per place and counts them.
 */
package io.jdbcguard.rules;
