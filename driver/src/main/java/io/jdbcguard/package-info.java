/**
 * jdbc-guard's public API: {@link io.jdbcguard.GuardDriver} (the {@code jdbc:guard:} driver),
 * {@link io.jdbcguard.GuardDataSource}, {@link io.jdbcguard.GuardStats} (run-time counts),
 * {@link io.jdbcguard.Retry} with {@link io.jdbcguard.RetryPolicy}, and
 * {@link io.jdbcguard.UnsafePatternException} (strict mode). Everything else is internal and may change.
 */
package io.jdbcguard;
