package io.jdbcguard.it;

import static io.jdbcguard.it.RuleProbe.expect;
import static io.jdbcguard.it.RuleProbe.none;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 23, item 1: {@code gap-lock-insert}. The guard's own advice for a check-then-insert was "take the
 * check as SELECT … FOR UPDATE"; at REPEATABLE READ every concurrent caller then takes the same gap lock,
 * and all but one die in a deadlock at the INSERT. Reproduced here with 8 threads on the real server,
 * reported from one thread's run, and the fix the finding gives passes the same 8-thread test.
 */
class GapLockInsertTest {

    static final String CHECK = "SELECT id FROM gl_u WHERE email = ? FOR UPDATE";
    static final String INSERT = "INSERT INTO gl_u (email) VALUES (?)";

    @BeforeEach
    void table() {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS gl_u",
                "CREATE TABLE gl_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL,"
                        + " UNIQUE KEY ux_gl_u (email))");
    }

    private static boolean lockedCheck(Connection c, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CHECK)) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void insert(Connection c, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, email);
            ps.executeUpdate();
        }
    }

    @Test
    void aLockingCheckThenItsInsertInOneRepeatableReadTransactionIsGapLockInsert() throws Exception {
        expect("gap-lock-insert", 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                assertThat(lockedCheck(c, "a@x")).isFalse();
                insert(c, "a@x");
                c.commit();
            }
        });
    }

    @Test
    void atReadCommittedTheLockingCheckLocksNothingAndItIsACheckThenInsert() throws Exception {
        expect("check-then-insert", 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                c.setAutoCommit(false);
                assertThat(lockedCheck(c, "b@x")).isFalse();
                insert(c, "b@x");
                c.commit();
            }
        });
    }

    @Test
    void aLockingCheckInAnEarlierTransactionIsACheckThenInsert() throws Exception {
        expect("check-then-insert", 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                assertThat(lockedCheck(c, "c@x")).isFalse();
                c.commit(); // the lock ends here
                insert(c, "c@x");
                c.commit();
            }
        });
    }

    @Test
    void aRowLockedBeforeSerializesTheCallersAndThereIsNoDeadlock() throws Exception {
        TestDatabase.exec("INSERT INTO gl_u (email) VALUES ('parent@x')");
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                assertThat(lockedCheck(c, "parent@x")).isTrue(); // every caller locks this row first
                assertThat(lockedCheck(c, "d@x")).isFalse();
                insert(c, "d@x");
                c.commit();
            }
        });
    }

    /** How 8 threads' unit of work ended: deadlocks (1213) and rows per key. */
    record Outcome(int deadlocks, int duplicates, List<Integer> rowsPerKey) {
    }

    @FunctionalInterface
    interface Unit {
        void run(Connection c, String email, CyclicBarrier afterCheck) throws Exception;
    }

    /**
     * 8 threads, each on a connection of its own, run the unit for the same key at the same moment, for
     * {@code keys} keys; a barrier between the check and the insert makes every thread hold the check's
     * lock before any inserts, as under load.
     */
    private static Outcome eightThreads(boolean guarded, int keys, Unit unit) throws Exception {
        int threads = 8;
        AtomicInteger deadlocks = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        for (int k = 0; k < keys; k++) {
            String email = "k" + k + "@x";
            CyclicBarrier start = new CyclicBarrier(threads);
            CyclicBarrier afterCheck = new CyclicBarrier(threads);
            Concurrently.run(threads, t -> {
                try (Connection c = guarded ? TestDatabase.guarded() : TestDatabase.raw()) {
                    c.setAutoCommit(false);
                    start.await(10, TimeUnit.SECONDS);
                    try {
                        unit.run(c, email, afterCheck);
                        c.commit();
                    } catch (SQLException e) {
                        if (e.getErrorCode() == 1213) {
                            deadlocks.incrementAndGet();
                        } else if (e.getErrorCode() == 1062) {
                            duplicates.incrementAndGet();
                        } else {
                            throw e;
                        }
                        c.rollback();
                    }
                }
            });
        }
        List<Integer> rows = new ArrayList<>();
        try (Connection c = TestDatabase.raw(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM gl_u WHERE email = ?")) {
            for (int k = 0; k < keys; k++) {
                ps.setString(1, "k" + k + "@x");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    rows.add(rs.getInt(1));
                }
            }
        }
        return new Outcome(deadlocks.get(), duplicates.get(), rows);
    }

    /** The check taken as SELECT … FOR UPDATE, then the INSERT, as the old advice said. */
    private static void lockedGetOrCreate(Connection c, String email, CyclicBarrier afterCheck) throws Exception {
        boolean there = lockedCheck(c, email);
        afterCheck.await(10, TimeUnit.SECONDS);
        if (!there) {
            insert(c, email);
        }
    }

    /** The finding's fix: insert first, treat the duplicate as "already there", read the winner with a shared lock. */
    private static void insertFirst(Connection c, String email, CyclicBarrier afterCheck) throws Exception {
        afterCheck.await(10, TimeUnit.SECONDS);
        try {
            insert(c, email);
        } catch (SQLException e) {
            if (e.getErrorCode() != 1062) {
                throw e;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM gl_u WHERE email = ? LOCK IN SHARE MODE")) {
                ps.setString(1, email);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("the row that won").isTrue();
                }
            }
        }
    }

    @Test
    void eightThreadsDeadlockOnTheLockingCheckTheGuardSaysWhyAndTheFixPassesTheSameTest() throws Exception {
        int keys = 5;
        Outcome straight = eightThreads(false, keys, GapLockInsertTest::lockedGetOrCreate);
        assertThat(straight.deadlocks()).as("straight: the gap lock deadlocks the callers").isPositive();
        assertThat(straight.rowsPerKey()).as("one row per key").containsOnly(1);

        table();
        // One thread's run of the same code is enough for the guard to say so.
        expect("gap-lock-insert", 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                lockedGetOrCreate(c, "single@x", new CyclicBarrier(1));
                c.commit();
            }
        });

        // A new table, not DELETE: InnoDB keeps deleted keys as delete-marked records until purge runs, and
        // concurrent INSERTs of such a key all take a shared lock on it and deadlock among themselves, whatever
        // the code does (the fixed run below failed that way when purge was late).
        table();
        Outcome[] fixed = new Outcome[1];
        none(() -> fixed[0] = eightThreads(true, keys, GapLockInsertTest::insertFirst));
        assertThat(fixed[0].deadlocks()).as("the fix: no deadlock").isZero();
        assertThat(fixed[0].duplicates()).as("nor a duplicate-key error reaching the unit").isZero();
        assertThat(fixed[0].rowsPerKey()).as("exactly one row per key").containsExactly(1, 1, 1, 1, 1);
    }
}
