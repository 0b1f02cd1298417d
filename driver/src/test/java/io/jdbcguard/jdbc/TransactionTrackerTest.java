package io.jdbcguard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.fact.TransactionEvent;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SqlShapes;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transaction state machine, driven by JDBC calls and SQL, without a server. */
class TransactionTrackerTest {

    private final List<String> ended = new ArrayList<>();
    private final TransactionTracker tx = new TransactionTracker(io.jdbcguard.dialect.Dialects.fallback(), true, Isolation.REPEATABLE_READ,
            (id, type) -> ended.add(id + ":" + type));

    private void sql(String text) {
        tx.afterStatement(SqlShapes.of(text), null);
    }

    @Test
    void autocommitStatementsAreTransactionsOfTheirOwn() {
        assertThat(tx.inTransaction()).isFalse();
        long first = tx.transactionId();
        sql("SELECT 1");
        sql("SELECT 2");
        assertThat(tx.transactionId()).isEqualTo(first + 2);
        assertThat(ended).isEmpty();
    }

    @Test
    void explicitTransactionsByJdbcAndBySql() {
        tx.autoCommitSet(false);
        assertThat(tx.inTransaction()).isTrue();
        long id = tx.transactionId();
        sql("INSERT INTO t VALUES (1)");
        assertThat(tx.transactionId()).as("inside a transaction the id stays").isEqualTo(id);
        tx.ended(TransactionEvent.Type.COMMIT);
        assertThat(ended).containsExactly(id + ":COMMIT");
        tx.autoCommitSet(true);
        sql("START TRANSACTION");
        assertThat(tx.inTransaction()).isTrue();
        long id2 = tx.transactionId();
        sql("ALTER TABLE t ADD COLUMN x INT");
        assertThat(ended).last().isEqualTo(id2 + ":IMPLICIT_COMMIT");
        assertThat(tx.inTransaction()).as("DDL ended the explicit transaction").isFalse();
    }

    @Test
    void setAutocommitByJdbcOrSqlCommitsAnOpenTransaction() {
        tx.autoCommitSet(false);
        long id = tx.transactionId();
        sql("SET autocommit = 1");
        assertThat(ended).containsExactly(id + ":IMPLICIT_COMMIT");
        assertThat(tx.autoCommit()).isTrue();
        sql("SET autocommit = 0");
        assertThat(tx.autoCommit()).isFalse();
        sql("LOCK TABLES t WRITE");
        assertThat(ended).hasSize(2);
    }

    @Test
    void aDeadlockRollsTheTransactionBack() {
        tx.autoCommitSet(false);
        long id = tx.transactionId();
        tx.afterStatement(SqlShapes.of("UPDATE t SET a = 1 WHERE id = 1"),
                new SQLException("Deadlock found", "40001", 1213));
        assertThat(ended).containsExactly(id + ":ROLLBACK");
        tx.afterStatement(SqlShapes.of("UPDATE t SET a = 1 WHERE id = 1"), new SQLException("other", "HY000", 1000));
        assertThat(ended).hasSize(1);
    }

    @Test
    void isolationOfTheSessionAndOfTheNextTransactionOnly() {
        assertThat(tx.isolation()).isEqualTo(Isolation.REPEATABLE_READ);
        sql("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
        assertThat(tx.isolation()).isEqualTo(Isolation.READ_COMMITTED);
        tx.autoCommitSet(false);
        sql("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        assertThat(tx.isolation()).isEqualTo(Isolation.SERIALIZABLE);
        tx.ended(TransactionEvent.Type.COMMIT);
        assertThat(tx.isolation()).as("the next transaction only").isEqualTo(Isolation.READ_COMMITTED);
        tx.isolationSet(Isolation.READ_UNCOMMITTED);
        assertThat(tx.isolation()).isEqualTo(Isolation.READ_UNCOMMITTED);
        sql("SET SESSION innodb_snapshot_isolation = ON");
        assertThat(tx.sessionSnapshotIsolation()).isTrue();
    }
}
