/**
 * The rules, one file each, over a shared pattern memory and call-site sampler: they read facts, never
 * wrappers, and report findings to their guard's {@link io.jdbcguard.rules.Reporter}. A rule may decide
 * before a statement runs (refuse in strict mode, or return the fresh-read text for that one execution);
 * it must not block, must not touch the application's connection, and must not wait for the server.
 */
package io.jdbcguard.rules;
