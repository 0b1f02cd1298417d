/**
 * What a statement is: a hand-written lexer reads every text in its connection's {@link io.jdbcguard.sql.Syntax}
 * (MySQL/MariaDB in their {@code sql_mode}s, PostgreSQL) and classifies it cheaply
 * ({@link io.jdbcguard.sql.SqlShapes}); a hand-written, linear structure reader reads the
 * {@link io.jdbcguard.sql.Structure} once per normalised text. Never throws for any text; what it does not
 * understand is not analysed.
 */
package io.jdbcguard.sql;
