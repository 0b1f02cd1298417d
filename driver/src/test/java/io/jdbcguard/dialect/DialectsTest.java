package io.jdbcguard.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.Syntax;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class DialectsTest {

    @Test
    void theViolatedKeyIsReadFromEachDatabasesMessage() {
        assertThat(MySqlDialect.keyNameIn("Duplicate entry 'k' for key 'ux_nh_u'")).isEqualTo("ux_nh_u");
        assertThat(MySqlDialect.keyNameIn("Duplicate entry 'a-1' for key 'users.ux_email'")).isEqualTo("ux_email");
        assertThat(MySqlDialect.keyNameIn("Duplicate entry '5' for key 'PRIMARY'")).isEqualTo("PRIMARY");
        assertThat(MySqlDialect.keyNameIn("Lock wait timeout exceeded")).isNull();
        assertThat(MySqlDialect.keyNameIn(null)).isNull();
        assertThat(PostgresDialect.INSTANCE.duplicateKeyName(new SQLException(
                "ERROR: duplicate key value violates unique constraint \"u_email_key\"\n  Detail: Key (email)=(a) already"
                        + " exists.", "23505"))).isEqualTo("u_email_key");
        assertThat(PostgresDialect.INSTANCE.duplicateKeyName(new SQLException("ERROR: deadlock detected", "40P01"))).isNull();
    }

    @Test
    void aMariaDbServerIsNamedMariaDbWhateverTheDriverCallsIt() {
        assertThat(MySqlDialect.product("MySQL", "11.4.5-MariaDB")).isEqualTo("MariaDB 11.4.5");
        assertThat(MySqlDialect.product("MySQL", "5.5.5-10.11.6-MariaDB-log")).isEqualTo("MariaDB 10.11.6");
        assertThat(MySqlDialect.product("MariaDB", "11.4.5-MariaDB-ubu2404")).isEqualTo("MariaDB 11.4.5");
        assertThat(MySqlDialect.product("MySQL", "8.4.3")).isEqualTo("MySQL 8.4.3");
    }

    @Test
    void theDialectIsChosenByWhatTheDriverSaysOfTheServer() {
        assertThat(Dialects.of("PostgreSQL", "14.22", 14)).isSameAs(PostgresDialect.INSTANCE);
        assertThat(Dialects.of("MySQL", "11.4.5-MariaDB", 11)).isSameAs(MySqlDialect.MARIADB);
        assertThat(Dialects.of("MariaDB", "11.4.5-MariaDB", 11)).isSameAs(MySqlDialect.MARIADB);
        assertThat(Dialects.of("MySQL", "8.4.3", 8).sharedLockClause()).isEqualTo("FOR SHARE");
        assertThat(Dialects.of("MySQL", "5.7.44", 5).sharedLockClause()).isEqualTo("LOCK IN SHARE MODE");
        assertThat(Dialects.of("MySQL", "8.4.3", 8).database()).isEqualTo("mysql");
        assertThat(Dialects.of("Stub", "1.0", 0).database()).isEqualTo("mariadb");
    }

    @Test
    void sqlModesThatChangeLexingAreRead() {
        assertThat(MySqlDialect.syntaxOf("STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION")).isEqualTo(Syntax.MYSQL);
        assertThat(MySqlDialect.syntaxOf("NO_BACKSLASH_ESCAPES")).isEqualTo(Syntax.MYSQL_NO_BACKSLASH_ESCAPES);
        assertThat(MySqlDialect.syntaxOf("ansi")).isEqualTo(Syntax.MYSQL_ANSI_QUOTES);
        assertThat(MySqlDialect.syntaxOf("ORACLE,NO_BACKSLASH_ESCAPES"))
                .isEqualTo(Syntax.MYSQL_ANSI_QUOTES_NO_BACKSLASH_ESCAPES);
        Dialect mysql = MySqlDialect.MYSQL_8;
        assertThat(mysql.sessionSyntax("ANSI_QUOTES", null)).isEqualTo(Syntax.MYSQL_ANSI_QUOTES);
        assertThat(mysql.sessionSyntax("ANSI_QUOTES", "sql_mode='TRADITIONAL'")).isEqualTo(Syntax.MYSQL);
        assertThat(PostgresDialect.INSTANCE.sessionSyntax(null, null)).isEqualTo(Syntax.POSTGRESQL);
    }

    @Test
    void isolationMeansWhatItMeansOnEachDatabase() {
        Dialect mysql = MySqlDialect.MARIADB;
        Dialect pg = PostgresDialect.INSTANCE;
        assertThat(mysql.lockingReadLocksGap(Isolation.REPEATABLE_READ)).isTrue();
        assertThat(mysql.lockingReadLocksGap(Isolation.READ_COMMITTED)).isFalse();
        assertThat(pg.lockingReadLocksGap(Isolation.SERIALIZABLE)).isFalse();
        assertThat(pg.losesUpdatesAt(Isolation.READ_COMMITTED)).isTrue();
        assertThat(pg.losesUpdatesAt(Isolation.REPEATABLE_READ)).isFalse();
        assertThat(mysql.staleSnapshotAfterDuplicate(Isolation.REPEATABLE_READ)).isTrue();
        assertThat(pg.staleSnapshotAfterDuplicate(Isolation.REPEATABLE_READ)).isFalse();
        assertThat(pg.dirtyReads(Isolation.READ_UNCOMMITTED)).isFalse();
        assertThat(mysql.dirtyReads(Isolation.READ_UNCOMMITTED)).isTrue();
        assertThat(pg.duplicateKey(0, "23505")).isTrue();
        assertThat(mysql.duplicateKey(1062, "23000")).isTrue();
        assertThat(mysql.duplicateKey(0, "23505")).isFalse();
        assertThat(pg.rolledBackWholeTransaction(1205, "40001")).as("a MySQL lock wait timeout").isFalse();
    }
}
