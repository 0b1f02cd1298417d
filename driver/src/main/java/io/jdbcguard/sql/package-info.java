/**
 * What a statement is: a hand-written MySQL lexer classifies every text cheaply
 * ({@link io.jdbcguard.sql.SqlShapes}), JSqlParser (shaded) reads the {@link io.jdbcguard.sql.Structure} once
 * per normalised text. Never throws for any text; what it does not understand is not analysed.
 */
package io.jdbcguard.sql;
