/**
 * What one database prints or answers in its own way, read into the guard's terms. Today: InnoDB's deadlock
 * report. Knows nothing of the guard's rules or wrappers.
 */
package io.jdbcguard.dialect;
