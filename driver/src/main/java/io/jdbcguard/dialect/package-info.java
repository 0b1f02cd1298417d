/**
 * One dialect per database: everything MySQL/MariaDB ({@link io.jdbcguard.dialect.MySqlDialect}) and PostgreSQL
 * ({@link io.jdbcguard.dialect.PostgresDialect}) do differently, behind {@link io.jdbcguard.dialect.Dialect}, chosen
 * per data source by {@link io.jdbcguard.dialect.Dialects}: how texts are read, what errors mean, the index
 * catalogue's queries, what each isolation level means, what is read of the server, the fix texts; and what a
 * server prints in its own way (InnoDB's deadlock report). Knows nothing of the guard's rules or wrappers: they ask
 * it, and none of them tests a vendor name.
 */
package io.jdbcguard.dialect;
