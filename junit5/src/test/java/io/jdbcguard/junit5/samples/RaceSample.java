package io.jdbcguard.junit5.samples;

import io.jdbcguard.it.TestDatabase;
import io.jdbcguard.junit5.JdbcGuardExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 24: a load test whose two threads really lose an update: it fails with the race that happened. */
@ExtendWith(JdbcGuardExtension.class)
public class RaceSample {

    @Test
    void twoThreadsEditOneRowAtOnce() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS jx_counter",
                "CREATE TABLE jx_counter (id BIGINT PRIMARY KEY, n INT NOT NULL)", "INSERT INTO jx_counter VALUES (1, 0)");
        CyclicBarrier bothRead = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> increment(bothRead));
            Future<?> b = pool.submit(() -> increment(bothRead));
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdown();
        }
    }

    private static Void increment(CyclicBarrier bothRead) throws Exception {
        try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            int n;
            try (ResultSet rs = st.executeQuery("SELECT n FROM jx_counter WHERE id = 1")) {
                rs.next();
                n = rs.getInt(1);
            }
            bothRead.await(10, TimeUnit.SECONDS);
            st.executeUpdate("UPDATE jx_counter SET n = " + (n + 1) + " WHERE id = 1");
            c.commit();
        }
        return null;
    }
}
