package io.jdbcguard.junit5.samples;

import io.jdbcguard.it.TestDatabase;
import io.jdbcguard.junit5.JdbcGuardExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 23: a test per lock rule, each of which must fail with its finding. */
@ExtendWith(JdbcGuardExtension.class)
public class LockSample {

    @Test
    void aLockingCheckThenItsInsert() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS jx_gap", "CREATE TABLE jx_gap (id BIGINT AUTO_INCREMENT"
                + " PRIMARY KEY, email VARCHAR(100) NOT NULL, UNIQUE KEY ux_jx_gap (email))");
        try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.executeQuery("SELECT id FROM jx_gap WHERE email = 'a@x' FOR UPDATE").next();
            st.executeUpdate("INSERT INTO jx_gap (email) VALUES ('a@x')");
            c.commit();
        }
    }

    @Test
    void anUpdateByAColumnWithoutIndex() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS jx_job",
                "CREATE TABLE jx_job (id BIGINT PRIMARY KEY, worker VARCHAR(20), state VARCHAR(20))");
        try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.executeUpdate("UPDATE jx_job SET state = 'done' WHERE worker = 'w1'");
            c.commit();
        }
    }

    @Test
    void twoTablesLockedInOppositeOrders() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS jx_a", "DROP TABLE IF EXISTS jx_b",
                "CREATE TABLE jx_a (id BIGINT PRIMARY KEY, n INT)", "CREATE TABLE jx_b (id BIGINT PRIMARY KEY, n INT)");
        try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            aThenB(st);
            c.commit();
            bThenA(st);
            c.commit();
        }
    }

    private static void aThenB(Statement st) throws SQLException {
        st.executeUpdate("UPDATE jx_a SET n = 1 WHERE id = 1");
        st.executeUpdate("UPDATE jx_b SET n = 1 WHERE id = 1");
    }

    private static void bThenA(Statement st) throws SQLException {
        st.executeUpdate("UPDATE jx_b SET n = 2 WHERE id = 1 AND n IS NOT NULL");
        st.executeUpdate("UPDATE jx_a SET n = 2 WHERE id = 1 AND n IS NOT NULL");
    }

    @Test
    void aRealDeadlock() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS jx_dl", "CREATE TABLE jx_dl (id BIGINT PRIMARY KEY, n INT)",
                "INSERT INTO jx_dl VALUES (1, 0), (2, 0)");
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> transfer(1, 2, bothHoldOne));
            Future<?> b = pool.submit(() -> transfer(2, 1, bothHoldOne));
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdown();
        }
    }

    private static Void transfer(int from, int to, CountDownLatch bothHoldOne) throws Exception {
        try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.executeUpdate("UPDATE jx_dl SET n = n - 1 WHERE id = " + from);
            bothHoldOne.countDown();
            bothHoldOne.await(2, TimeUnit.SECONDS);
            try {
                st.executeUpdate("UPDATE jx_dl SET n = n + 1 WHERE id = " + to);
                c.commit();
            } catch (SQLException e) {
                if (e.getErrorCode() != 1213) {
                    throw e;
                }
                c.rollback(); // the application handles its deadlock: the test still fails on the finding
            }
        }
        return null;
    }
}
