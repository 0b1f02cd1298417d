package io.jdbcguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 22: each database's texts read as that database reads them (the same text can mean different things). */
class SyntaxTest {

    private static SqlShape pg(String sql) {
        return SqlShapes.of(sql, Syntax.POSTGRESQL);
    }

    @Test
    void postgresDoubleQuotesNameAColumnWhereMysqlsQuoteAString() {
        String sql = "SELECT id FROM \"Users\" WHERE \"Email\" = ?";
        SqlShape p = pg(sql);
        assertThat(p.structure().table().name()).isEqualToIgnoringCase("Users");
        assertThat(p.structure().keyEqualities()).extracting(Structure.Equality::column).containsExactly("email");
        assertThat(p.paramCount()).isEqualTo(1);
        // Straight MySQL reads "Users" as a string: no table it can name.
        assertThat(SqlShapes.of(sql).normalized()).isEqualTo("SELECT id FROM ? WHERE ? = ?");
    }

    @Test
    void dollarQuotesEscapeStringsNestedCommentsAndCastsAreReadAsPostgresReadsThem() {
        SqlShape p = pg("SELECT id FROM users WHERE note = $tag$it's -- not ? a comment$tag$ AND e = E'a\\'b ?'"
                + " /* outer /* inner */ still ? comment */ AND n = ?::int");
        assertThat(p.paramCount()).as("the one real parameter").isEqualTo(1);
        assertThat(p.slot(1).literal()).isEqualTo("it's -- not ? a comment");
        assertThat(p.slot(2).literal()).isEqualTo("a'b ?");
        assertThat(p.normalized()).isEqualTo("SELECT id FROM users WHERE note = ? AND e = ? AND n = ?::int");
        assertThat(pg("SELECT id FROM t WHERE a = 'x'--comment\n AND b = ?").normalized())
                .isEqualTo("SELECT id FROM t WHERE a = ? AND b = ?");
    }

    @Test
    void pgJdbcsDoubledQuestionMarkIsAnOperatorNotTwoParameters() {
        SqlShape p = pg("SELECT id FROM docs WHERE tags ?? 'x' AND id = ?");
        assertThat(p.paramCount()).isEqualTo(1);
        assertThat(p.slot(2).paramIndex()).isEqualTo(1);
        assertThat(SqlShapes.of("SELECT id FROM docs WHERE tags ?? 'x' AND id = ?").paramCount()).isEqualTo(3);
    }

    @Test
    void hashIsAnOperatorOnPostgresAndAComment() {
        assertThat(pg("SELECT a # b FROM t WHERE id = ?").paramCount()).isEqualTo(1);
        assertThat(SqlShapes.of("SELECT a # b FROM t WHERE id = ?").paramCount()).as("MySQL: # starts a comment")
                .isZero();
    }

    @Test
    void postgresLockClausesAndUpsertsAreRecognised() {
        assertThat(pg("SELECT * FROM t WHERE id = ? FOR NO KEY UPDATE").lock()).isEqualTo(LockMode.FOR_UPDATE);
        assertThat(pg("SELECT * FROM t WHERE id = ? FOR KEY SHARE SKIP LOCKED").lock()).isEqualTo(LockMode.SHARED);
        assertThat(pg("SELECT * FROM t WHERE id = ? FOR UPDATE OF t NOWAIT").lock()).isEqualTo(LockMode.FOR_UPDATE);
        assertThat(pg("INSERT INTO t (k) VALUES (?) ON CONFLICT (k) DO NOTHING").insertVariant())
                .isEqualTo(InsertVariant.ON_CONFLICT_DO_NOTHING);
        assertThat(pg("INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT ON CONSTRAINT t_k DO UPDATE SET n = excluded.n")
                .insertVariant()).isEqualTo(InsertVariant.ON_CONFLICT_DO_UPDATE);
        SqlShape ret = pg("INSERT INTO t (k) VALUES (?) RETURNING id");
        assertThat(ret.insertVariant()).isEqualTo(InsertVariant.PLAIN);
        assertThat(ret.structure().insertColumns()).containsExactly("k");
    }

    @Test
    void mysqlSqlModesChangeWhatQuotesAndBackslashesMean() {
        String backslash = "SELECT id FROM t WHERE a = 'x\\' AND b = ?";
        // Default: \' escapes the quote, the string runs on and swallows the parameter.
        assertThat(SqlShapes.of(backslash, Syntax.MYSQL).paramCount()).isZero();
        assertThat(SqlShapes.of(backslash, Syntax.MYSQL_NO_BACKSLASH_ESCAPES).paramCount()).isEqualTo(1);
        String quoted = "SELECT id FROM \"T\" WHERE \"k\" = ?";
        assertThat(SqlShapes.of(quoted, Syntax.MYSQL_ANSI_QUOTES).structure().table().name()).isEqualToIgnoringCase("T");
        // The same text cached for one syntax is read again for another.
        assertThat(SqlShapes.of(quoted, Syntax.MYSQL).structure().table()).isNull();
        assertThat(SqlShapes.of(quoted, Syntax.MYSQL_ANSI_QUOTES).structure().table()).isNotNull();
    }

    @Test
    void aSessionsSetSqlModeIsRead() {
        assertThat(SqlShapes.of("SET sql_mode = 'ANSI_QUOTES,STRICT_TRANS_TABLES'").set().modes())
                .isEqualTo("ANSI_QUOTES,STRICT_TRANS_TABLES");
        assertThat(SqlShapes.of("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'").set().modes())
                .isEqualTo("NO_BACKSLASH_ESCAPES");
        assertThat(SqlShapes.of("SET GLOBAL sql_mode = 'ANSI'").set().modes()).isNull();
    }
}
