package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.fact.TransactionEvent;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.LockMode;
import io.jdbcguard.sql.StatementKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each execution becomes one fact carrying what the rules need, tracked without extra round trips. */
class FactsTest {

    @BeforeEach
    void table() {
        TestDatabase.exec("DROP TABLE IF EXISTS f_users",
                "CREATE TABLE f_users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE, "
                        + "name VARCHAR(100))");
    }

    @Test
    void queriesCarryParamsOutcomeAndCountValues() throws SQLException {
        try (FactRecorder rec = new FactRecorder(); Connection c = TestDatabase.guarded()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM f_users WHERE email = ?")) {
                ps.setString(1, "a@x");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isFalse();
                }
            }
            ExecutionFact check = rec.last();
            assertThat(check.kind()).isEqualTo(StatementKind.SELECT);
            assertThat(check.outcome().type()).isEqualTo(Outcome.Type.ROWS);
            assertThat(check.outcome().rowFound()).isFalse();
            assertThat(check.param(1)).isEqualTo("a@x");
            assertThat(check.shape().structure().keyEqualities().get(0).column()).isEqualTo("email");
            assertThat(check.slotValue(check.shape().structure().keyEqualities().get(0).slot())).isEqualTo("a@x");
            assertThat(check.autoCommit()).isTrue();
            assertThat(check.inTransaction()).isFalse();
            assertThat(check.isolation()).isEqualTo(Isolation.REPEATABLE_READ);
            assertThat(check.endNanos()).isGreaterThanOrEqualTo(check.startNanos());

            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO f_users (email) VALUES ('b@x')");
                assertThat(rec.last().outcome().updateCount()).isEqualTo(1);
                assertThat(rec.last().slotValue(1)).isEqualTo("b@x");
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM f_users WHERE email = 'b@x'")) {
                    rs.next();
                }
                assertThat(rec.last().outcome().firstValue()).isEqualTo(1L);
                try (ResultSet rs = st.executeQuery("SELECT EXISTS(SELECT 1 FROM `f_users` WHERE email = 'zz')")) {
                    rs.next();
                }
                assertThat(rec.last().outcome().firstValue().longValue()).isEqualTo(0L);
                assertThat(rec.last().shape().structure().table().name()).isEqualTo("f_users");
                st.execute("SELECT * FROM f_users WHERE id = 1 FOR UPDATE");
                try (ResultSet rs = st.getResultSet()) {
                    rs.next();
                }
                assertThat(rec.last().shape().lock()).isEqualTo(LockMode.FOR_UPDATE);
            }
        }
    }

    @Test
    void failuresCarryTheDriversSqlStateAndCode() throws SQLException {
        try (FactRecorder rec = new FactRecorder(); Connection c = TestDatabase.guarded();
             PreparedStatement ps = c.prepareStatement("INSERT INTO f_users (email) VALUES (?)")) {
            ps.setString(1, "d@x");
            ps.executeUpdate();
            SQLException thrown = null;
            try {
                ps.executeUpdate();
            } catch (SQLException e) {
                thrown = e;
            }
            assertThat((Throwable) thrown).isNotNull();
            Outcome o = rec.last().outcome();
            assertThat(o.type()).isEqualTo(Outcome.Type.FAILED);
            assertThat((Throwable) o.error()).isSameAs(thrown);
            assertThat(o.sqlState()).isEqualTo("23000");
            assertThat(o.vendorCode()).isEqualTo(1062);
        }
    }

    @Test
    void transactionBoundariesFromJdbcCallsAndSql() throws SQLException {
        try (FactRecorder rec = new FactRecorder(); Connection c = TestDatabase.guarded();
             Statement st = c.createStatement()) {
            st.executeQuery("SELECT 1").next();
            long auto1 = rec.last().transactionId();
            st.executeQuery("SELECT 2").next();
            long auto2 = rec.last().transactionId();
            assertThat(auto2).as("each autocommit statement is its own transaction").isNotEqualTo(auto1);

            c.setAutoCommit(false);
            st.executeQuery("SELECT 3").next();
            long tx = rec.last().transactionId();
            st.executeUpdate("INSERT INTO f_users (email) VALUES ('t@x')");
            assertThat(rec.last().transactionId()).isEqualTo(tx);
            assertThat(rec.last().inTransaction()).isTrue();
            c.commit();
            assertThat(rec.ends).extracting(TransactionEvent::type).containsExactly(TransactionEvent.Type.COMMIT);
            assertThat(rec.ends.get(0).transactionId()).isEqualTo(tx);
            st.executeQuery("SELECT 4").next();
            assertThat(rec.last().transactionId()).isNotEqualTo(tx);
            st.execute("ROLLBACK");
            assertThat(rec.ends.get(1).type()).isEqualTo(TransactionEvent.Type.ROLLBACK);
            c.setAutoCommit(true);

            st.execute("START TRANSACTION");
            st.executeQuery("SELECT 5").next();
            long explicit = rec.last().transactionId();
            assertThat(rec.last().inTransaction()).isTrue();
            st.executeQuery("SELECT 6").next();
            assertThat(rec.last().transactionId()).isEqualTo(explicit);
            st.execute("CREATE TABLE IF NOT EXISTS f_other (id INT)");
            assertThat(rec.ends.get(rec.ends.size() - 1).type()).isEqualTo(TransactionEvent.Type.IMPLICIT_COMMIT);
            st.executeQuery("SELECT 7").next();
            assertThat(rec.last().inTransaction()).isFalse();

            st.execute("SET autocommit = 0");
            st.executeQuery("SELECT 8").next();
            assertThat(rec.last().inTransaction()).isTrue();
            assertThat(rec.last().autoCommit()).isFalse();
            st.execute("SET autocommit = 1");
            st.executeQuery("SELECT 9").next();
            assertThat(rec.last().inTransaction()).isFalse();
        }
    }

    @Test
    void isolationFromJdbcAndSqlIncludingNextTransactionOnly() throws SQLException {
        try (FactRecorder rec = new FactRecorder(); Connection c = TestDatabase.guarded();
             Statement st = c.createStatement()) {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            st.executeQuery("SELECT 1").next();
            assertThat(rec.last().isolation()).isEqualTo(Isolation.READ_COMMITTED);

            st.execute("SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE");
            st.executeQuery("SELECT 2").next();
            assertThat(rec.last().isolation()).isEqualTo(Isolation.SERIALIZABLE);

            st.execute("SET @@session.tx_isolation = 'REPEATABLE-READ'");
            st.executeQuery("SELECT 3").next();
            assertThat(rec.last().isolation()).isEqualTo(Isolation.REPEATABLE_READ);

            c.setAutoCommit(false);
            st.execute("SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
            st.executeQuery("SELECT 4").next();
            assertThat(rec.last().isolation()).isEqualTo(Isolation.READ_UNCOMMITTED);
            c.commit();
            st.executeQuery("SELECT 5").next();
            assertThat(rec.last().isolation()).as("back to the session level after that transaction")
                    .isEqualTo(Isolation.REPEATABLE_READ);
            c.commit();
            // What the server says agrees with what the guard tracked.
            try (ResultSet rs = st.executeQuery("SELECT @@session.transaction_isolation")) {
                rs.next();
                assertThat(Isolation.parse(rs.getString(1))).isEqualTo(rec.facts.get(rec.facts.size() - 2).isolation());
            }
        }
    }

    @Test
    void batchEntriesBecomeOneFactEach() throws SQLException {
        try (FactRecorder rec = new FactRecorder(); Connection c = TestDatabase.guarded();
             PreparedStatement ps = c.prepareStatement("INSERT INTO f_users (email, name) VALUES (?, ?)")) {
            for (int i = 0; i < 3; i++) {
                ps.setString(1, "b" + i + "@x");
                ps.setString(2, "n" + i);
                ps.addBatch();
            }
            ps.executeBatch();
            assertThat(rec.facts).hasSize(3);
            for (int i = 0; i < 3; i++) {
                ExecutionFact f = rec.facts.get(i);
                assertThat(f.batchIndex()).isEqualTo(i);
                assertThat(f.param(1)).isEqualTo("b" + i + "@x");
                assertThat(f.outcome().updateCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void theGuardSendsNoStatementOfItsOwnPerStatement() throws SQLException {
        int n = 200;
        try (FactRecorder rec = new FactRecorder(); Connection c = TestDatabase.guarded();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM f_users WHERE email = ?");
             Statement st = c.createStatement()) {
            ps.setString(1, "warm");
            ps.executeQuery().next();   // the one isolation read per connection happens here
            long before = questions(st);
            for (int i = 0; i < n; i++) {
                ps.setString(1, "q" + i);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                }
            }
            long after = questions(st);
            assertThat(rec.facts).hasSizeGreaterThan(n);
            // The server counted exactly our n queries plus the first SHOW STATUS itself.
            assertThat(after - before).isEqualTo(n + 1);
        }
    }

    private static long questions(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Questions'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    @Test
    void closedConnectionWithOpenTransactionIsReported() throws SQLException {
        try (FactRecorder rec = new FactRecorder()) {
            Connection c = TestDatabase.guarded();
            c.setAutoCommit(false);
            c.createStatement().executeQuery("SELECT 1").next();
            c.close();
            assertThat(rec.ends).extracting(TransactionEvent::type).containsExactly(TransactionEvent.Type.CLOSED);
            assertThatThrownBy(() -> c.createStatement()).isInstanceOf(SQLException.class);
        }
    }
}
