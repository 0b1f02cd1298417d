package io.jdbcguard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Guard;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.SqlShapes;
import io.jdbcguard.stub.StubDriver;
import java.sql.Connection;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Found in issue 22's full benchmark run: since the lock rules and the observed races (which read statements in
 * transactions only) subscribed DELETE, every DELETE under autocommit was recorded and kept its values for nobody
 * (+120 bytes per prepared DELETE, where the target is none). Now a kind only transaction-reading rules read is
 * recorded, and keeps its values, inside transactions only.
 */
class ListenerInterestTest {

    @Test
    void aKindOnlyTransactionReadingRulesReadIsRecordedInTransactionsOnly() throws Exception {
        StubDriver.load();
        String sql = "DELETE FROM t WHERE id = ?";
        SqlShape delete = SqlShapes.of(sql);
        SqlShape insert = SqlShapes.of("INSERT INTO t (a) VALUES (?)");
        try (Guard guard = new Guard(); Connection c = guard.connect("jdbc:guard:stub:interest", new Properties())) {
            GuardConnection gc = c.unwrap(GuardConnection.class);
            assertThat(gc.record(sql, delete, new Object[] {null, 1L})).as("autocommit: nobody reads it").isNull();
            assertThat(gc.interest.values(delete.kind(), false)).isFalse();
            assertThat(gc.record("INSERT INTO t (a) VALUES (?)", insert, new Object[] {null, 1L}))
                    .as("an INSERT under autocommit completes patterns across transactions: recorded").isNotNull();
            c.setAutoCommit(false);
            assertThat(gc.record(sql, delete, new Object[] {null, 1L})).as("in a transaction the lock rules read it")
                    .isNotNull();
            assertThat(gc.interest.values(delete.kind(), true)).isTrue();
        }
    }
}
