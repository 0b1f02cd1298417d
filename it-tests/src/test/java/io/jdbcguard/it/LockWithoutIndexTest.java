package io.jdbcguard.it;

import static io.jdbcguard.it.RuleProbe.expect;
import static io.jdbcguard.it.RuleProbe.none;
import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, item 2: {@code lock-without-index} on the real server, on a schema as teams write it (upper-case
 * names, a foreign key, a composite index). A locking statement whose WHERE no index serves makes InnoDB lock
 * every row it scans; 8 threads that each add a row of their own and then update their rows deadlock with each
 * other; one thread's run is enough for the guard to say so, and the index the finding names makes the same
 * 8-thread test pass without a deadlock.
 */
class LockWithoutIndexTest {

    @BeforeEach
    void schema() {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS LWI_JOB", "DROP TABLE IF EXISTS LWI_OWNER",
                "CREATE TABLE LWI_OWNER (ID BIGINT PRIMARY KEY, NAME VARCHAR(40) NOT NULL)",
                "CREATE TABLE LWI_JOB (ID BIGINT AUTO_INCREMENT PRIMARY KEY, OWNER_ID BIGINT, QUEUE VARCHAR(20),"
                        + " TENANT INT NOT NULL DEFAULT 1, WORKER VARCHAR(20), STATE VARCHAR(20) NOT NULL,"
                        + " CONSTRAINT FK_LWI_JOB_OWNER FOREIGN KEY (OWNER_ID) REFERENCES LWI_OWNER (ID),"
                        + " KEY IX_LWI_JOB_TENANT_QUEUE (TENANT, QUEUE))",
                "INSERT INTO LWI_OWNER VALUES (1, 'ann'), (2, 'bob')",
                "INSERT INTO LWI_JOB (OWNER_ID, QUEUE, WORKER, STATE) VALUES (1, 'mail', 'w0', 'new'),"
                        + " (2, 'print', 'w0', 'new')");
    }

    private static int update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            return ps.executeUpdate();
        }
    }

    @Test
    void anUpdateByAColumnNoIndexStartsWithLocksTheTable() throws Exception {
        List<Finding> seen = new CopyOnWriteArrayList<>();
        var registration = Guard.global().addFindingListener(seen::add);
        try {
            expect("lock-without-index", 1, () -> {
                try (Connection c = TestDatabase.guarded()) {
                    c.setAutoCommit(false);
                    update(c, "UPDATE LWI_JOB SET STATE = 'ready' WHERE WORKER = ?", "w0");
                    c.commit();
                }
            });
        } finally {
            registration.close();
        }
        Finding f = seen.stream().filter(x -> x.rule().equals("lock-without-index")).findFirst().orElseThrow();
        assertThat(f.table()).isEqualTo("lwi_job");
        assertThat(f.columns()).containsExactly("worker");
        assertThat(f.isolation()).isEqualTo("REPEATABLE_READ");
        assertThat(f.writeSite().getClassName()).isEqualTo(LockWithoutIndexTest.class.getName());
        assertThat(f.message()).contains("no index of lwi_job serves (its indexes start with id, owner_id, tenant)",
                "CREATE INDEX ix_lwi_job_worker ON lwi_job (worker)");
    }

    @Test
    void theSecondColumnOfACompositeIndexDoesNotServeAndALockingReadCountsToo() throws Exception {
        expect("lock-without-index", 2, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("SELECT ID FROM LWI_JOB WHERE QUEUE = ? FOR UPDATE")) {
                    ps.setString(1, "mail");
                    ps.executeQuery().close();
                }
                update(c, "DELETE FROM LWI_JOB WHERE QUEUE = ? AND STATE = ?", "print", "gone");
                c.rollback();
            }
        });
    }

    @Test
    void safeNeighbours() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                update(c, "UPDATE LWI_JOB SET STATE = 'ready' WHERE ID = ?", 1);              // primary key
                update(c, "UPDATE LWI_JOB SET STATE = 'ready' WHERE OWNER_ID = ?", 1);        // the foreign key's index
                update(c, "UPDATE LWI_JOB SET STATE = 'x' WHERE TENANT = ? AND QUEUE = ?", 1, "mail"); // composite
                try (PreparedStatement ps = c.prepareStatement("SELECT ID FROM LWI_JOB WHERE WORKER = ?")) {
                    ps.setString(1, "w0");                                                    // no lock taken
                    ps.executeQuery().close();
                }
                c.rollback();
                c.setAutoCommit(true);
                update(c, "UPDATE LWI_JOB SET STATE = 'x' WHERE WORKER = ?", "nobody");       // autocommit
            }
        });
    }

    @Test
    void anIndexAddedLaterThroughTheGuardIsSeen() throws Exception {
        expect("lock-without-index", 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                update(c, "UPDATE LWI_JOB SET STATE = 'ready' WHERE WORKER = ?", "w0");
                c.commit();
            }
        });
        TestDatabase.execGuarded("CREATE INDEX IX_LWI_JOB_WORKER ON LWI_JOB (WORKER)");
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                update(c, "UPDATE LWI_JOB SET STATE = 'ready' WHERE WORKER = ?", "w0");
                c.commit();
            }
        });
    }

    /**
     * 8 threads at once, each on a connection of its own: add a job of its own worker, then mark its worker's
     * jobs ready. Returns the deadlocks; asserts each worker's job ended ready exactly once when it committed.
     */
    private static int eightWorkers(boolean guarded, int rounds) throws Exception {
        int threads = 8;
        AtomicInteger deadlocks = new AtomicInteger();
        AtomicInteger committed = new AtomicInteger();
        TestDatabase.exec("DELETE FROM LWI_JOB WHERE QUEUE = 'q'");
        for (int r = 0; r < rounds; r++) {
            CyclicBarrier added = new CyclicBarrier(threads);
            int round = r;
            Concurrently.run(threads, t -> {
                String worker = "r" + round + "t" + t;
                try (Connection c = guarded ? TestDatabase.guarded() : TestDatabase.raw()) {
                    c.setAutoCommit(false);
                    try {
                        update(c, "INSERT INTO LWI_JOB (OWNER_ID, QUEUE, WORKER, STATE) VALUES (1, 'q', ?, 'new')", worker);
                        added.await(10, TimeUnit.SECONDS);
                        assertThat(update(c, "UPDATE LWI_JOB SET STATE = 'ready' WHERE WORKER = ?", worker)).isEqualTo(1);
                        c.commit();
                        committed.incrementAndGet();
                    } catch (SQLException e) {
                        if (e.getErrorCode() != 1213 && e.getErrorCode() != 1205) {
                            throw e;
                        }
                        deadlocks.incrementAndGet();
                        c.rollback();
                    }
                }
            });
        }
        try (Connection c = TestDatabase.raw(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM LWI_JOB WHERE QUEUE = 'q' AND STATE = 'ready'")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("every committed worker's job, ready once").isEqualTo(committed.get());
            }
        }
        assertThat(committed.get() + deadlocks.get()).isEqualTo(threads * rounds);
        return deadlocks.get();
    }

    @Test
    void eightWorkersDeadlockWithoutTheIndexTheGuardSaysWhichAndTheIndexFixesIt() throws Exception {
        assertThat(eightWorkers(false, 3)).as("straight, no index on WORKER: the scans lock each other's rows")
                .isPositive();

        expect("lock-without-index", 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                update(c, "UPDATE LWI_JOB SET STATE = 'ready' WHERE WORKER = ?", "single");
                c.commit();
            }
        });

        TestDatabase.execGuarded("CREATE INDEX IX_LWI_JOB_WORKER ON LWI_JOB (WORKER)"); // the finding's fix
        int[] after = new int[1];
        none(() -> after[0] = eightWorkers(true, 3));
        assertThat(after[0]).as("with the index: no deadlock, no lock-wait timeout").isZero();
    }
}
