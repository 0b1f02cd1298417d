package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.GuardStats;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactBus;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.fact.TransactionEvent;
import io.jdbcguard.sql.StatementKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fail-open: faults injected into the analysis (listeners that throw exceptions and errors on every fact,
 * statements the parser cannot read) never change what the application's statements return; each fault
 * is logged once per place and kind and counted.
 */
class FaultInjectionTest {

    /** Throws on every callback: a RuntimeException, then an Error, alternately. */
    static final class Faulty implements FactListener {
        int calls;

        @Override
        public Set<StatementKind> kinds() {
            return EnumSet.allOf(StatementKind.class);
        }

        @Override
        public void onExecution(ExecutionFact fact) {
            calls++;
            if (calls % 2 == 0) {
                throw new AssertionError("injected error #" + calls);
            }
            throw new IllegalStateException("injected fault #" + calls);
        }

        @Override
        public void onTransactionEnd(TransactionEvent event) {
            throw new NullPointerException("injected");
        }
    }

    @Test
    void everyStatementStillReturnsTheRightResult() throws SQLException {
        TestDatabase.exec("DROP TABLE IF EXISTS fi_t", "CREATE TABLE fi_t (id INT PRIMARY KEY, v VARCHAR(20))");
        Faulty faulty = new Faulty();
        long errorsBefore = GuardStats.internalErrors();
        try (LogCapture log = new LogCapture("jdbcguard"); FactBus.Registration r = io.jdbcguard.Guard.global().core().runtime().bus().register(faulty);
             Connection c = TestDatabase.guarded()) {
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO fi_t VALUES (?, ?)")) {
                for (int i = 1; i <= 20; i++) {
                    ins.setInt(1, i);
                    ins.setString(2, "v" + i);
                    assertThat(ins.executeUpdate()).isEqualTo(1);
                }
                ins.setInt(1, 21);
                ins.setString(2, "b");
                ins.addBatch();
                ins.setInt(1, 22);
                ins.setString(2, "b");
                ins.addBatch();
                assertThat(ins.executeBatch()).containsExactly(1, 1);
            }
            c.commit();
            try (Statement st = c.createStatement()) {
                // Text the structural parser cannot read (MariaDB's LIMIT ROWS EXAMINED) still runs, unanalysed.
                String unreadable = "SELECT v FROM fi_t WHERE id = 7 LIMIT ROWS EXAMINED 1000";
                assertThat(io.jdbcguard.sql.SqlShapes.of(unreadable).structure()).isNull();
                try (ResultSet rs = st.executeQuery(unreadable)) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("v7");
                }
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(id) FROM fi_t")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(22);
                    assertThat(rs.getInt(2)).isEqualTo(253);
                }
                assertThat(st.executeUpdate("UPDATE fi_t SET v = 'w' WHERE id <= 5")).isEqualTo(5);
            }
            c.rollback();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM fi_t WHERE v = 'w'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            assertThat(faulty.calls).isGreaterThan(25);
            long contained = GuardStats.internalErrors() - errorsBefore;
            assertThat(contained).isGreaterThanOrEqualTo(faulty.calls);
            // Logged once per place and kind: onExecution with two kinds of throwable, onTransactionEnd with one.
            assertThat(log.messages()).filteredOn(m -> m.contains("internal error")).hasSize(3);
            assertThat(log.events()).allSatisfy(e -> {
                if (e.getFormattedMessage().contains("internal error")) {
                    assertThat(e.getThrowableProxy()).isNotNull();
                }
            });
        }
    }
}
