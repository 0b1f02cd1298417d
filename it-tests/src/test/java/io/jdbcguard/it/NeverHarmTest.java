package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.internal.InternalErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * First law, differentially: each program runs straight on Connector/J and through the guard, and
 * what the application observes (results, update counts, exceptions by class, SQLState and vendor code)
 * and the table contents afterwards must be identical. Each program reproduces a defect of issue 9.
 */
class NeverHarmTest {

    /** What a program observed, in order. */
    static class Observed {
        final List<String> log = new ArrayList<>();

        void add(Object o) {
            log.add(String.valueOf(o));
        }

        void failed(SQLException e) {
            log.add("threw " + e.getClass().getName() + " state=" + e.getSQLState() + " code=" + e.getErrorCode());
        }

        /** Runs a step, recording its result or its exception. */
        void step(Step s) {
            try {
                add(s.run());
            } catch (SQLException e) {
                failed(e);
            }
        }
    }

    @FunctionalInterface
    interface Step {
        Object run() throws SQLException;
    }

    @FunctionalInterface
    interface Program {
        void run(Connection c, Observed o) throws Exception;
    }

    @BeforeEach
    void forget() {
        io.jdbcguard.Guard.global().forgetCurrentThread();
    }

    static void resetTable() {
        TestDatabase.exec("DROP TABLE IF EXISTS nh_u",
                "CREATE TABLE nh_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL,"
                        + " UNIQUE KEY ux_nh_u (email))",
                "INSERT INTO nh_u (email) VALUES ('victim'), ('victim2')");
    }

    static List<String> table() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = TestDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT email FROM nh_u ORDER BY email")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    /** Runs the program straight and through the guard; asserts identical observations and tables; returns them. */
    static List<String> sameBothWays(Program p) throws Exception {
        return sameBothWays(new java.util.Properties(), p);
    }

    /** The same, each connection opened with these driver properties. */
    static List<String> sameBothWays(java.util.Properties props, Program p) throws Exception {
        resetTable();
        Observed raw = new Observed();
        try (Connection c = java.sql.DriverManager.getConnection(TestDatabase.url(), props)) {
            p.run(c, raw);
        }
        List<String> rawTable = table();
        resetTable();
        io.jdbcguard.Guard.global().forgetCurrentThread();
        long internalBefore = InternalErrors.count();
        Observed guarded = new Observed();
        try (Connection c = java.sql.DriverManager.getConnection(TestDatabase.guardUrl(), props)) {
            p.run(c, guarded);
        }
        assertThat(guarded.log).as("what the application observed").isEqualTo(raw.log);
        assertThat(table()).as("the table afterwards").isEqualTo(rawTable);
        assertThat(InternalErrors.count()).as("no internal error").isEqualTo(internalBefore);
        return raw.log;
    }

    /**
     * The stale state of issue 9: in a REPEATABLE READ transaction a check finds no 'k', another
     * connection inserts 'k' and commits, this transaction's INSERT of 'k' fails with 1062. The
     * guard now plans fresh reads of nh_u for this transaction.
     */
    static void duplicateKey(Connection c, Statement st, Observed o) throws SQLException {
        c.setAutoCommit(false);
        o.step(() -> {
            try (ResultSet rs = st.executeQuery("SELECT id FROM nh_u WHERE email='k'")) {
                return rs.next();
            }
        });
        TestDatabase.exec("INSERT INTO nh_u (email) VALUES ('k')");
        o.step(() -> st.executeUpdate("INSERT INTO nh_u (email) VALUES ('k')"));
    }

    @Test
    void aDecisionForOneStatementNeverRunsInPlaceOfALaterOne() throws Exception {
        // Issue 9, item 1: the guard's SELECT … LOCK IN SHARE MODE ran instead of the DELETE and the COMMIT.
        List<String> seen = sameBothWays((c, o) -> {
            try (Statement st = c.createStatement()) {
                duplicateKey(c, st, o);
                o.step(() -> st.executeUpdate("SELECT id FROM nh_u WHERE email='L1'"));
                o.step(() -> st.execute("DELETE FROM nh_u WHERE email='victim'"));
                o.step(st::getUpdateCount);
                o.step(() -> st.executeLargeUpdate("SELECT id FROM nh_u WHERE email='L2'"));
                o.step(() -> st.execute("COMMIT"));
            }
        });
        assertThat(seen.get(1)).contains("code=1062");
        assertThat(seen.get(3)).isEqualTo("false");
        assertThat(seen.get(4)).isEqualTo("1");
    }

    /**
     * Issues 23 and 24's paths, straight and through the guard alike: a locking read closed unread (now reported
     * at close), statements the lock rules and the observed races note (an unindexed locking UPDATE, two tables in
     * a transaction, a read then a write by key, an insert of an equal row), a failed statement, a rollback.
     */
    @Test
    void theLockRulesAndTheObservedRacesChangeNothing() throws Exception {
        sameBothWays((c, o) -> {
            try (Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                o.step(() -> {
                    st.executeQuery("SELECT id FROM nh_u WHERE email = 'victim' FOR UPDATE").close(); // rows unread
                    return "closed";
                });
                o.step(() -> st.executeUpdate("UPDATE nh_u SET email = 'v1' WHERE email = 'victim'"));
                o.step(() -> {
                    try (ResultSet rs = st.executeQuery("SELECT email FROM nh_u WHERE id = 2")) {
                        return rs.next() ? rs.getString(1) : null;
                    }
                });
                o.step(() -> st.executeUpdate("UPDATE nh_u SET email = 'v2' WHERE id = 2"));
                o.step(() -> st.executeUpdate("INSERT INTO nh_u (email) VALUES ('v3')"));
                o.step(() -> st.executeUpdate("INSERT INTO nh_u (email) VALUES ('v3')")); // 1062, as the driver throws it
                c.commit();
                o.step(() -> st.executeUpdate("DELETE FROM nh_u WHERE email = 'v3'"));
                c.rollback();
                c.setAutoCommit(true);
            }
        });
    }

    @Test
    void aBatchOfReadsLeavesNothingForTheNextStatement() throws Exception {
        // Issue 9, item 1: a batch of a prepared SELECT followed by execute("DELETE …") gave 1064.
        sameBothWays((c, o) -> {
            try (Statement st = c.createStatement();
                 PreparedStatement ps = c.prepareStatement("SELECT id FROM nh_u WHERE email = ?")) {
                duplicateKey(c, st, o);
                ps.setString(1, "k");
                ps.addBatch();
                o.step(() -> Arrays.toString(ps.executeBatch()));
                o.step(() -> st.execute("DELETE FROM nh_u WHERE email='victim'"));
                o.step(st::getUpdateCount);
                o.step(() -> st.executeUpdate("DELETE FROM nh_u WHERE email='victim2'"));
                c.commit();
            }
        });
    }

    @Test
    void aReadWhoseGrammarTheGuardDoesNotKnowRunsAsWritten() throws Exception {
        // Issue 9, item 3: the lock clause landed before MariaDB's executable comment: 1064 through the guard.
        sameBothWays((c, o) -> {
            try (Statement st = c.createStatement()) {
                duplicateKey(c, st, o);
                o.step(() -> {
                    try (ResultSet rs = st.executeQuery("SELECT id FROM nh_u WHERE email='k' /*M! LIMIT 1 */")) {
                        return rs.next();
                    }
                });
                o.step(() -> {
                    try (ResultSet rs = st.executeQuery("SELECT id FROM nh_u WHERE email='k' /*!50000 LIMIT 1 */")) {
                        return rs.next();
                    }
                });
                c.rollback();
            }
        });
    }

    @Test
    void aKilledConnectionFailsAsTheDriverSaysAndIsNoInternalError() throws Exception {
        // Issue 9, items 3 and 5: after a KILL the guard's own query turned 08S01 into a plain SQLException.
        List<String> seen = sameBothWays((c, o) -> {
            long id;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
            }
            try (Statement st = c.createStatement()) {
                duplicateKey(c, st, o);
                TestDatabase.exec("KILL CONNECTION " + id);
                o.step(() -> {
                    try (ResultSet rs = st.executeQuery("SELECT id FROM nh_u WHERE email='k'")) {
                        return rs.next();
                    }
                });
                o.step(() -> st.execute("DELETE FROM nh_u WHERE email='victim'"));
            }
        });
        assertThat(seen.get(2)).startsWith("threw ").contains("state=08");
    }

    @Test
    void aRewrittenReadKeepsTheApplicationsQueryTimeoutAndTheDriversException() throws Exception {
        // Issue 9, item 3: the rewritten statement ignored setQueryTimeout(1) (waited 50 s, then 1205).
        resetTable();
        Class<?> rawTimeout;
        try (Connection holder = TestDatabase.raw(); Statement h = holder.createStatement()) {
            TestDatabase.exec("INSERT INTO nh_u (email) VALUES ('held')");
            holder.setAutoCommit(false);
            h.executeQuery("SELECT id FROM nh_u WHERE email='held' FOR UPDATE").close();
            try (Connection raw = TestDatabase.raw();
                 PreparedStatement ps = raw.prepareStatement("SELECT id FROM nh_u WHERE email = ? LOCK IN SHARE MODE")) {
                raw.setAutoCommit(false);
                ps.setQueryTimeout(1);
                ps.setString(1, "held");
                rawTimeout = classOfFailure(ps);
                raw.rollback();
            }
            holder.rollback();
        }
        assertThat(rawTimeout).as("what the driver throws on a query timeout").isNotNull();

        try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement();
             Connection holder = TestDatabase.raw(); Statement h = holder.createStatement()) {
            // The loser of a duplicate key holds a shared lock on that record, so the holder locks another row:
            // every plain read of the table is rewritten in this transaction.
            holder.setAutoCommit(false);
            h.executeQuery("SELECT id FROM nh_u WHERE email='held' FOR UPDATE").close();
            duplicateKey(c, st, new Observed());
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM nh_u WHERE email = ?")) {
                ps.setQueryTimeout(1);
                ps.setString(1, "held");
                long start = System.nanoTime();
                SQLException e = null;
                try {
                    ps.executeQuery().close();
                } catch (SQLException x) {
                    e = x;
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat((Throwable) e).as("the shared-lock read waits on the lock, then times out").isNotNull();
                assertThat(e.getClass()).as("the driver's own exception class").isEqualTo(rawTimeout);
                assertThat(ms).as("the application's 1 s timeout, not the server's 50 s lock wait").isLessThan(10_000);
                assertThat(e.getSuppressed()).anySatisfy(s -> assertThat(s.getMessage())
                        .contains("jdbc-guard ran this read as a shared-lock read"));
            }
            holder.rollback();
            c.rollback();
        }
    }

    private static Class<?> classOfFailure(PreparedStatement ps) {
        try {
            ps.executeQuery().close();
            return null;
        } catch (SQLException e) {
            return e.getClass();
        }
    }

    @Test
    void threadsSharingAConnectionNeverRunEachOthersStatements() throws Exception {
        // Issue 9, item 1: with one connection shared by threads, 2 of 300,000 DELETEs returned another
        // thread's SELECT. Here one thread re-reads (each read rewritten) while another deletes.
        resetTable();
        int n = 400;
        StringBuilder rows = new StringBuilder("INSERT INTO nh_u (email) VALUES ");
        for (int i = 0; i < n; i++) {
            rows.append(i == 0 ? "" : ",").append("('v").append(i).append("')");
        }
        TestDatabase.exec(rows.toString());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection c = TestDatabase.guarded()) {
            CountDownLatch staleReady = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            // One thread makes the duplicate key and then re-reads (the guard rewrites its reads, since
            // the memory of the duplicate is that thread's), while this thread deletes on the same connection.
            Future<Integer> reader = pool.submit(() -> {
                io.jdbcguard.Guard.global().forgetCurrentThread();
                int found = 0;
                try (Statement st = c.createStatement()) {
                    duplicateKey(c, st, new Observed());
                    staleReady.countDown();
                    go.await();
                    for (int i = 0; i < n; i++) {
                        try (ResultSet rs = st.executeQuery("SELECT id FROM nh_u WHERE email='k'")) {
                            found += rs.next() ? 1 : 0;
                        }
                    }
                }
                return found;
            });
            assertThat(staleReady.await(30, TimeUnit.SECONDS)).isTrue();
            int[] deleted = new int[1];
            int[] falses = new int[1];
            go.countDown();
            try (Statement st = c.createStatement()) {
                for (int i = 0; i < n; i++) {
                    if (!st.execute("DELETE FROM nh_u WHERE email='v" + i + "'")) {
                        falses[0]++;
                        deleted[0] += st.getUpdateCount();
                    }
                }
            }
            int found = reader.get(60, TimeUnit.SECONDS);
            c.commit();
            assertThat(falses[0]).as("every DELETE returned its own update count").isEqualTo(n);
            assertThat(deleted[0]).as("rows the DELETEs report").isEqualTo(n);
            assertThat(found).as("the stale thread's reads were repaired, every one").isEqualTo(n);
        } finally {
            pool.shutdownNow();
        }
        assertThat(table()).as("every row deleted, nothing else").containsExactly("k", "victim", "victim2");
    }
}
