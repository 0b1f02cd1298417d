package io.jdbcguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import io.jdbcguard.stub.StubDriver;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a place proved stable stands in for its stack walks, and a new place of the same SQL is
 * found by a re-sample and never mixed with the old one. Every occurrence reaches the listener here, so
 * each one's sites are checked. On the stub driver (this class is the "application": its package is the
 * guard's own, so {@code guard.app-packages} names it).
 */
class SiteSamplingTest {

    private Guard guard;
    private final List<Finding> findings = new CopyOnWriteArrayList<>();

    @BeforeEach
    void guard() {
        StubDriver.load();
        guard = new Guard();
        guard.addFindingListener(findings::add);
    }

    @AfterEach
    void close() {
        guard.close();
    }

    private Connection connect() throws SQLException {
        return guard.connect("jdbc:guard:stub:sites?guard.app-packages=" + SiteSamplingTest.class.getName(),
                new Properties());
    }

    private long walks() {
        return guard.core().counters().stackWalks.sum();
    }

    private static boolean found(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next();
        }
    }

    /** Get-or-create, at place A. */
    private static void createA(Statement st, int i) throws SQLException {
        boolean there;
        try (ResultSet rs = st.executeQuery("SELECT id FROM users WHERE email = 'missing" + i + "'")) {
            there = rs.next();
        }
        if (!there) {
            st.executeUpdate("INSERT INTO users (email) VALUES ('missing" + i + "')");
        }
    }

    /** The same two statements, at place B. */
    private static void createB(Statement st, int i) throws SQLException {
        boolean there;
        try (ResultSet rs = st.executeQuery("SELECT id FROM users WHERE email = 'missing" + i + "'")) {
            there = rs.next();
        }
        if (!there) {
            st.executeUpdate("INSERT INTO users (email) VALUES ('missing" + i + "')");
        }
    }

    private static String method(StackTraceElement e) {
        return e.getMethodName();
    }

    @Test
    void aPlaceProvedStableIsWalkedOnlyWhileItIsProved() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            long before = walks();
            for (int i = 0; i < 200; i++) {
                createA(st, i);
            }
            assertThat(guard.awaitFindings(5_000)).isTrue();
            // The check and the INSERT walked for the first SAMPLED patterns, then standing in (no re-sample
            // before the 256th).
            assertThat(walks() - before).isEqualTo(2L * CallSiteSampler.SAMPLED);
            assertThat(findings).hasSize(200).allSatisfy(f -> {
                assertThat(method(f.checkSite())).isEqualTo("createA");
                assertThat(method(f.writeSite())).isEqualTo("createA");
            });
            assertThat(findings.get(199).count()).isEqualTo(200);
        }
    }

    @Test
    void aSecondPlaceOfTheSameSqlIsFoundByAResampleAndNeverMixed() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (int i = 0; i < 300; i++) {
                createA(st, i);
            }
            for (int i = 300; i < 300 + CallSiteSampler.RESAMPLE + 10; i++) {
                createB(st, i);
            }
            assertThat(guard.awaitFindings(5_000)).isTrue();
            assertThat(findings).allSatisfy(f ->
                    assertThat(method(f.checkSite())).as("both sites of one place").isEqualTo(method(f.writeSite())));
            assertThat(findings).anySatisfy(f -> assertThat(method(f.checkSite())).isEqualTo("createB"));
            long walksBefore = walks();
            createB(st, 9_999);
            assertThat(walks() - walksBefore).as("seen at two places: walked every time").isEqualTo(2);
            assertThat(guard.awaitFindings(5_000)).isTrue();
            assertThat(method(findings.get(findings.size() - 1).checkSite())).isEqualTo("createB");
        }
    }

    @Test
    void aCheckThatNeverCompletesAPatternIsWalkedEveryTime() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            long before = walks();
            for (int i = 0; i < 50; i++) {
                assertThat(found(st, "SELECT id FROM users WHERE email = 'missing" + i + "'")).isFalse();
            }
            assertThat(walks() - before).isEqualTo(50);
            createA(st, 1);
            assertThat(guard.awaitFindings(5_000)).isTrue();
            assertThat(findings).hasSize(1);
            assertThat(method(findings.get(0).checkSite())).isEqualTo("createA");
        }
    }
}
