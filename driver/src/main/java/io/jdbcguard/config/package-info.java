/**
 * The guard's settings: {@link io.jdbcguard.config.Setting} declares each one once (key, type, default,
 * accepted values, documentation); {@link io.jdbcguard.config.GuardConfig} resolves them from the five
 * sources in DESIGN.md's order of precedence. Rule ids live in {@link io.jdbcguard.config.RuleId}.
 */
package io.jdbcguard.config;
