package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Finding;
import io.jdbcguard.GuardStats;
import io.jdbcguard.JdbcGuard;
import io.jdbcguard.internal.InternalErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The public finding API: every occurrence reaches every listener; a listener's failure is contained. */
class FindingListenerTest {

    @Test
    void everyOccurrenceReachesTheListenerAndTheLogLineIsWrittenOnce() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS fl_u",
                "CREATE TABLE fl_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100))");
        io.jdbcguard.Guard.global().forgetCurrentThread();
        List<Finding> seen = new CopyOnWriteArrayList<>();
        long internal = InternalErrors.count();
        try (JdbcGuard.Registration r = JdbcGuard.addFindingListener(seen::add);
             JdbcGuard.Registration failing = JdbcGuard.addFindingListener(f -> {
                 throw new IllegalStateException("a listener's own bug");
             });
             LogCapture log = new LogCapture("jdbcguard.check-then-insert");
             Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = st.executeQuery("SELECT id FROM fl_u WHERE email = 'l" + i + "@x'")) {
                    assertThat(rs.next()).isFalse();
                }
                assertThat(st.executeUpdate("INSERT INTO fl_u (email) VALUES ('l" + i + "@x')")).isEqualTo(1);
            }
            assertThat(GuardStats.awaitFindings(10_000)).isTrue();
            assertThat(seen).extracting(Finding::count).containsExactly(1L, 2L, 3L);
            assertThat(seen).allSatisfy(f -> {
                assertThat(f.rule()).isEqualTo("check-then-insert");
                assertThat(f.level()).isEqualTo(Finding.Level.ERROR);
                assertThat(f.table()).isEqualTo("fl_u");
                assertThat(f.columns()).containsExactly("email");
                assertThat(f.isolation()).isEqualTo("REPEATABLE_READ");
                assertThat(f.sql()).isEqualTo("INSERT INTO fl_u (email) VALUES (?)");
                assertThat(f.thread()).isEqualTo(Thread.currentThread().getName());
                assertThat(f.checkSite().getClassName()).isEqualTo(FindingListenerTest.class.getName());
                assertThat(f.level().atLeast(Finding.Level.WARN)).isTrue();
            });
            assertThat(log.events()).hasSize(1);
            assertThat(InternalErrors.count() - internal).as("the failing listener, contained").isEqualTo(3);
        }
    }
}
