package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jdbcguard.GuardStats;
import io.jdbcguard.UnsafePatternException;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Strict mode, once-per-place logging, the race proven for real, and the counts over JMX. */
class StrictDedupeProofTest {

    @BeforeEach
    void tables() {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS sd_u",
                "CREATE TABLE sd_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, UNIQUE KEY ux_sd (email))");
        io.jdbcguard.Guard.global().forgetCurrentThread();
    }

    @Test
    void strictModeRefusesTheInsertAndLeavesTheTransactionUsable() throws Exception {
        try (Connection c = TestDatabase.guarded("guard.mode=strict")) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM sd_u WHERE email = ?")) {
                ps.setString(1, "strict@x");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isFalse();
                }
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO sd_u (email) VALUES (?)")) {
                ins.setString(1, "strict@x");
                assertThatThrownBy(ins::executeUpdate)
                        .isInstanceOf(UnsafePatternException.class)
                        .hasMessageStartingWith("[check-then-insert] sd_u(email)")
                        .satisfies(e -> {
                            assertThat(((UnsafePatternException) e).getSQLState()).isEqualTo("JG000");
                            assertThat(((UnsafePatternException) e).ruleId()).isEqualTo("check-then-insert");
                        });
            }
            // The transaction is open and usable; the application decides.
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT IGNORE INTO sd_u (email) VALUES ('other@x')");
            }
            c.commit();
        }
        try (Connection c = TestDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT email FROM sd_u ORDER BY email")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("other@x");
            assertThat(rs.next()).as("the refused row is absent").isFalse();
        }
    }

    @Test
    void strictModeRefusesALockingReadUnderAutocommitBeforeItRuns() throws Exception {
        try (Connection c = TestDatabase.guarded("guard.mode=strict"); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("SELECT * FROM sd_u WHERE id = 1 FOR UPDATE"))
                    .isInstanceOf(UnsafePatternException.class);
        }
    }

    @Test
    void theSameFindingFromTheSamePlaceIsLoggedOnceAndCountedEveryTime() throws Exception {
        try (LogCapture log = new LogCapture("jdbcguard.check-then-insert"); Connection c = TestDatabase.guarded();
             PreparedStatement check = c.prepareStatement("SELECT COUNT(*) FROM sd_u WHERE email = ?");
             PreparedStatement insert = c.prepareStatement("INSERT IGNORE INTO sd_u (email) VALUES (?)");
             PreparedStatement plain = c.prepareStatement("INSERT INTO sd_u (email) VALUES (?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < 1000; i++) {
                String email = "d" + i + "@x";
                check.setString(1, email);
                try (ResultSet rs = check.executeQuery()) {
                    rs.next();
                }
                plain.setString(1, email);
                plain.executeUpdate();
                c.commit();
            }
            assertThat(log.events()).hasSize(1);
            Map<String, Long> places = GuardStats.findingsByPlace();
            String key = places.keySet().stream()
                    .filter(k -> k.startsWith("check-then-insert|sd_u|") && k.contains("theSameFindingFromTheSamePlace"))
                    .findFirst().orElseThrow();
            assertThat(places.get(key)).isEqualTo(1000L);
            assertThat(insert).isNotNull();
        }
    }

    @Test
    void withoutAUniqueIndexTheRaceReallyDuplicatesAndOneRunThroughTheGuardReportsIt() throws Exception {
        GetOrCreateRace straight = new GetOrCreateRace(TestDatabase.url(), "proof_u");
        straight.reset(false);
        GetOrCreateRace.Result r = straight.run(8, 200, 20);
        System.out.printf("race without a unique index, 8 threads x 200 calls over 20 keys: %d rows, %d duplicates%n",
                r.rows(), r.duplicateRows());
        assertThat(r.duplicateRows()).as("the race really happens on this server").isPositive();
        assertThat(r.duplicateKeyErrors()).isZero();

        straight.reset(false);
        try (LogCapture log = new LogCapture("jdbcguard.check-then-insert"); Connection c = TestDatabase.guarded()) {
            c.setAutoCommit(false);
            GetOrCreateRace.getOrCreate(c, "proof_u", "single@x");
            c.commit();
            assertThat(log.events()).singleElement().satisfies(e -> {
                assertThat(e.getLevel().toString()).isEqualTo("ERROR");
                assertThat(e.getFormattedMessage()).contains("proof_u(email)").contains("GetOrCreateRace.getOrCreate(");
            });
        }
    }

    @Test
    void countsAreReadableOverJmx() throws Exception {
        try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
        }
        ObjectName name = new ObjectName("io.jdbcguard:type=GuardStats");
        long deadline = System.currentTimeMillis() + 10_000;
        while (!ManagementFactory.getPlatformMBeanServer().isRegistered(name) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isTrue();
        long statements = (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(name, "Statements");
        assertThat(statements).isEqualTo(GuardStats.statements()).isPositive();
        TabularData byRule = (TabularData) ManagementFactory.getPlatformMBeanServer().getAttribute(name, "FindingsByRule");
        assertThat(byRule.size()).as("one count per rule").isEqualTo(io.jdbcguard.config.RuleId.values().length);
    }
}
