package io.jdbcguard.it;

import static io.jdbcguard.it.NeverHarmTest.duplicateKey;
import static io.jdbcguard.it.NeverHarmTest.sameBothWays;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, items 9 to 12: the second reliability probe's minimal repros, each run straight on
 * Connector/J and through the guard (what the application observes and the table afterwards must be
 * identical). In each, the guard is in its stale state: a duplicate key in a REPEATABLE READ transaction
 * made it plan fresh (shared-lock) reads of {@code nh_u}.
 */
class SecondProbeTest {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor();

    @AfterAll
    static void stop() {
        TIMER.shutdownNow();
    }

    @BeforeEach
    void forget() {
        io.jdbcguard.Guard.global().forgetCurrentThread();
    }

    /** A row of {@code nh_u} locked FOR UPDATE by another connection until {@code rollback}. */
    private static Connection holdRow(String table, String email) throws SQLException {
        Connection holder = TestDatabase.raw();
        holder.setAutoCommit(false);
        try (Statement h = holder.createStatement()) {
            h.executeQuery("SELECT id FROM " + table + " WHERE email='" + email + "' FOR UPDATE").close();
        }
        return holder;
    }

    private static Object firstRow(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "none";
        }
    }

    // ---- N1: the calls that reach a running statement reach the rewritten read ------------------------

    /** Item 9 (N1): straight, a cancel from another thread ends a blocked shared-lock read at once. */
    @Test
    void aCancelFromAnotherThreadReachesARewrittenRead() throws Exception {
        NeverHarmTest.resetTable();
        String straight;
        try (Connection holder = holdRow("nh_u", "victim"); Connection raw = TestDatabase.raw();
             PreparedStatement ps = raw.prepareStatement("SELECT id FROM nh_u WHERE email = ? LOCK IN SHARE MODE")) {
            raw.setAutoCommit(false);
            ps.setString(1, "victim");
            straight = cancelledAfter(ps, 700);
            raw.rollback();
            holder.rollback();
        }
        assertThat(straight).as("straight: cancelled, not a lock wait timeout").isEqualTo("cancelled");

        try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
            duplicateKey(c, st, new NeverHarmTest.Observed());
            try (Connection holder = holdRow("nh_u", "victim");
                 PreparedStatement ps = c.prepareStatement("SELECT id FROM nh_u WHERE email = ?")) {
                ps.setString(1, "victim");
                long start = System.nanoTime();
                String guarded = cancelledAfter(ps, 700);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(guarded).as("through the guard: cancelled as straight").isEqualTo(straight);
                assertThat(ms).as("cancelled at 0.7 s, not after the 5 s lock wait").isLessThan(3_000);
                holder.rollback();
            }
            c.rollback();
        }
    }

    /**
     * Executes the read, cancelling it from another thread after {@code ms}; says how it ended (without
     * timing). Connector/J reports a cancel as MySQLStatementCancelledException or, when the server's answer
     * wins the race, MySQLQueryInterruptedException (1317): both are "cancelled", straight as well.
     */
    private static String cancelledAfter(PreparedStatement ps, long ms) {
        java.util.concurrent.ScheduledFuture<?> cancel = TIMER.schedule(() -> {
            try {
                ps.cancel();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, ms, TimeUnit.MILLISECONDS);
        try (ResultSet rs = ps.executeQuery()) {
            return "found " + rs.next();
        } catch (SQLException e) {
            boolean cancelled = e.getClass().getSimpleName().equals("MySQLStatementCancelledException")
                    || e.getErrorCode() == 1317;
            return cancelled ? "cancelled" : "threw " + e.getClass().getName() + " code=" + e.getErrorCode();
        } finally {
            cancel.cancel(false);
        }
    }

    /**
     * Item 9 (N1): update count, more results, warnings and close-on-completion are the rewritten read's.
     * Straight, the same read is written as a shared-lock read by hand: what the guard runs in its place.
     */
    @Test
    void theResultCallsOfARewrittenReadAreThatReadsOwn() throws Exception {
        NeverHarmTest.resetTable();
        NeverHarmTest.Observed straight = new NeverHarmTest.Observed();
        try (Connection c = TestDatabase.raw()) {
            resultCalls(c, "SELECT email FROM nh_u WHERE email = ? LOCK IN SHARE MODE", straight);
        }
        NeverHarmTest.resetTable();
        NeverHarmTest.Observed guarded = new NeverHarmTest.Observed();
        try (Connection c = TestDatabase.guarded()) {
            resultCalls(c, "SELECT email FROM nh_u WHERE email = ?", guarded);
        }
        assertThat(guarded.log).isEqualTo(straight.log);
        assertThat(straight.log).as("the row that won is read; closed on completion")
                .containsSubsequence("true", "true", "k", "-1", "false", "true", "-1", "true", "true", "true", "true");
    }

    private static void resultCalls(Connection c, String read, NeverHarmTest.Observed o) throws SQLException {
        try (Statement st = c.createStatement()) {
            duplicateKey(c, st, o);
            PreparedStatement ps = c.prepareStatement(read);
            ps.setString(1, "k");
            o.step(ps::execute);
            ResultSet rs = ps.getResultSet();
            o.step(rs::next);
            o.step(() -> rs.getString(1));
            o.step(ps::getUpdateCount);
            o.step(ps::getMoreResults);
            o.step(rs::isClosed);
            o.step(ps::getUpdateCount);
            o.step(() -> ps.getWarnings() == null);
            ps.closeOnCompletion();
            o.step(ps::isCloseOnCompletion);
            ResultSet again = ps.executeQuery();
            o.step(again::next);
            again.close();
            o.step(ps::isClosed);
            ps.close();
            c.rollback();
        }
    }

    // ---- N2: backslashes whose meaning depends on sql_mode -------------------------------------------

    /** Item 10 (N2): with NO_BACKSLASH_ESCAPES the lock clause landed inside the literal: another row came back. */
    @Test
    void withNoBackslashEscapesAPlainReadReturnsWhatItReturnsStraight() throws Exception {
        List<String> seen = sameBothWays((c, o) -> {
            TestDatabase.exec("INSERT INTO nh_u (email) VALUES ('#')");
            try (Statement st = c.createStatement()) {
                st.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
                duplicateKey(c, st, o);
                o.step(() -> firstRow(st, "SELECT email FROM nh_u WHERE email = 'x\\' OR email = '#'"));
                c.rollback();
            }
        });
        assertThat(seen.get(seen.size() - 1)).isEqualTo("#");
    }

    /** Item 10 (N2): the prepared form failed 07001 through the guard (its parameter taken for part of a literal). */
    @Test
    void withNoBackslashEscapesAPreparedReadBindsAsStraight() throws Exception {
        // Set when connecting, so that the driver itself knows it and parses the text as the server does.
        java.util.Properties props = new java.util.Properties();
        props.setProperty("sessionVariables", "sql_mode='STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES'");
        List<String> seen = sameBothWays(props, (c, o) -> {
            try (Statement st = c.createStatement()) {
                duplicateKey(c, st, o);
                try (PreparedStatement ps = c.prepareStatement("SELECT email FROM nh_u WHERE email <> '\\' AND email = ?")) {
                    ps.setString(1, "victim");
                    o.step(() -> {
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getString(1) : "none";
                        }
                    });
                }
                c.rollback();
            }
        });
        assertThat(seen.get(seen.size() - 1)).isEqualTo("victim");
    }

    // ---- N3 and D5: only the reads that can miss the winner are rewritten ------------------------------

    /** Item 11 (N3): a duplicate in one schema made reads of a same-named table in another schema locking reads. */
    @Test
    void aDuplicateInOneSchemaLeavesTheSameTableNameInAnotherAlone() throws Exception {
        TestDatabase.exec("CREATE DATABASE IF NOT EXISTS nh_other", "DROP TABLE IF EXISTS nh_other.nh_u",
                "CREATE TABLE nh_other.nh_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL,"
                        + " UNIQUE KEY ux_o (email))",
                "INSERT INTO nh_other.nh_u (email) VALUES ('o1')");
        List<String> seen = sameBothWays((c, o) -> {
            try (Statement st = c.createStatement(); Connection holder = holdRow("nh_other.nh_u", "o1")) {
                st.execute("SET SESSION innodb_lock_wait_timeout = 1");
                duplicateKey(c, st, o);
                o.step(() -> firstRow(st, "SELECT email FROM nh_other.nh_u WHERE email = 'o1'"));
                holder.rollback();
                c.rollback();
            }
        });
        assertThat(seen.get(seen.size() - 1)).as("read as written: no lock wait").isEqualTo("o1");
    }

    /** Item 11 (D5): a read of the table that does not fix the violated key's columns cannot miss the winner. */
    @Test
    void aReadThatDoesNotFixTheViolatedKeyRunsAsWritten() throws Exception {
        List<String> seen = sameBothWays((c, o) -> {
            TestDatabase.exec("INSERT INTO nh_u (email) VALUES ('zz')");
            long held;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM nh_u WHERE email='zz'")) {
                rs.next();
                held = rs.getLong(1);
            }
            try (Statement st = c.createStatement(); Connection holder = holdRow("nh_u", "zz")) {
                st.execute("SET SESSION innodb_lock_wait_timeout = 1");
                duplicateKey(c, st, o);
                o.step(() -> firstRow(st, "SELECT email FROM nh_u WHERE id = " + held));
                o.step(() -> firstRow(st, "SELECT COUNT(*) FROM nh_u WHERE id > 0"));
                holder.rollback();
                c.rollback();
            }
        });
        assertThat(seen.subList(seen.size() - 2, seen.size())).as("read as written: no lock wait")
                .containsExactly("zz", "3");
    }

    // ---- N4: a trailing NUL ----------------------------------------------------------------------------

    /** Item 12 (N4): with a trailing NUL the clause appended after it gave 1064. */
    @Test
    void aTextWithATrailingNulRunsAsStraight() throws Exception {
        List<String> seen = sameBothWays((c, o) -> {
            try (Statement st = c.createStatement()) {
                duplicateKey(c, st, o);
                o.step(() -> firstRow(st, "SELECT email FROM nh_u WHERE email = 'k'\u0000"));
                c.rollback();
            }
        });
        assertThat(seen.get(seen.size() - 1)).doesNotStartWith("threw");
    }
}
