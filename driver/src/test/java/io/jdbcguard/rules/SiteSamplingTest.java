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
            // Issue 19: the check, known at two places, stands in; the INSERT is walked (the pair completed at
            // two combinations of sites) and tells which of the check's places this one was: its own method's.
            assertThat(walks() - walksBefore).as("seen at two places: the write is walked, the check not").isEqualTo(1);
            assertThat(guard.awaitFindings(5_000)).isTrue();
            assertThat(method(findings.get(findings.size() - 1).checkSite())).isEqualTo("createB");
        }
    }

    /** A point select by id, prepared once and run from wherever. */
    private static final String BY_ID = "SELECT balance FROM accounts WHERE `42` = ?";

    private static void loadA(java.sql.PreparedStatement ps, int i) throws SQLException {
        ps.setInt(1, i);
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
        }
    }

    private static void loadB(java.sql.PreparedStatement ps, int i) throws SQLException {
        ps.setInt(1, i);
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
        }
    }

    /**
     * Issue 19: the same prepared point select run once from b(), then always from a(), made one stack walk
     * per statement (an SQL read at a second place was walked every time, for the life of the guard).
     */
    @Test
    void onceHereThenAlwaysThereIsWalkedAtMostOnceIn256Statements() throws Exception {
        int n = 400_000;
        try (Connection c = connect(); java.sql.PreparedStatement ps = c.prepareStatement(BY_ID)) {
            long before = walks();
            loadB(ps, 0);
            for (int i = 1; i <= n; i++) {
                loadA(ps, i);
            }
            assertThat(walks() - before).as("walks for %d statements", n + 1).isLessThanOrEqualTo((n + 1) / 256);
        }
    }

    /** Issue 19: the same SQL from eight places in turn (every findById of an application) costs no more. */
    @Test
    void roundRobinOverEightPlacesIsWalkedAtMostOnceIn256Statements() throws Exception {
        int n = 400_000;
        try (Connection c = connect(); java.sql.PreparedStatement ps = c.prepareStatement(BY_ID)) {
            long before = walks();
            for (int i = 0; i < n; i++) {
                switch (i % 8) {
                    case 0: loadA(ps, i); break;
                    case 1: loadB(ps, i); break;
                    case 2: { ps.setInt(1, i); ps.executeQuery().close(); break; }
                    case 3: { ps.setInt(1, i); ps.executeQuery().close(); break; }
                    case 4: { ps.setInt(1, i); ps.executeQuery().close(); break; }
                    case 5: { ps.setInt(1, i); ps.executeQuery().close(); break; }
                    case 6: { ps.setInt(1, i); ps.executeQuery().close(); break; }
                    default: { ps.setInt(1, i); ps.executeQuery().close(); break; }
                }
            }
            assertThat(walks() - before).as("walks for %d statements", n).isLessThanOrEqualTo(n / 256);
        }
    }

    /**
     * A read of a many-places point select, then its write, at a place the SQL was not walked at yet: while
     * the SQL is learning (as in a test suite) every occurrence, the first included, names its own sites.
     */
    @Test
    void aLostUpdateAtAFurtherPlaceOfAManyPlacesReadIsReportedFromItsFirstOccurrence() throws Exception {
        lostUpdateAfter(500, 3);
    }

    /**
     * The same on a hot path (the SQL past its learning, standing in): an occurrence whose read's site cannot
     * be told goes unreported rather than misnamed, and the next ones name their own sites.
     */
    @Test
    void onAHotPathAFurtherPlaceIsNeverMisnamed() throws Exception {
        lostUpdateAfter(5_000, 2);
    }

    private void lostUpdateAfter(int loads, int reported) throws Exception {
        try (Connection c = connect(); java.sql.PreparedStatement ps = c.prepareStatement(BY_ID);
             Statement st = c.createStatement()) {
            loadB(ps, 0);
            for (int i = 1; i <= loads; i++) {
                loadA(ps, i);
            }
            c.setAutoCommit(false);
            for (int i = 0; i < 3; i++) {
                readThenWrite(ps, st);
                c.commit();
            }
            assertThat(guard.awaitFindings(5_000)).isTrue();
            assertThat(findings).hasSize(reported).allSatisfy(f -> {
                assertThat(f.rule()).isEqualTo("lost-update");
                assertThat(method(f.checkSite())).isEqualTo("readThenWrite");
                assertThat(method(f.writeSite())).isEqualTo("readThenWrite");
            });
        }
    }

    private static void readThenWrite(java.sql.PreparedStatement ps, Statement st) throws SQLException {
        ps.setInt(1, 7);
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
        }
        st.executeUpdate("UPDATE accounts SET balance = 5 WHERE `42` = 7");
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
