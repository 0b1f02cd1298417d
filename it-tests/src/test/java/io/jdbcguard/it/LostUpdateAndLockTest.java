package io.jdbcguard.it;

import static io.jdbcguard.it.RuleProbe.expect;
import static io.jdbcguard.it.RuleProbe.none;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** lost-update and lock-without-transaction on the real server. */
class LostUpdateAndLockTest {

    static final String LU = "lost-update";
    static final String LWT = "lock-without-transaction";

    @BeforeEach
    void tables() {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS lu_acc",
                "CREATE TABLE lu_acc (id INT PRIMARY KEY, owner VARCHAR(20), balance BIGINT NOT NULL, "
                        + "version INT NOT NULL DEFAULT 0, KEY ix_lu_owner (owner))",
                "INSERT INTO lu_acc (id, owner, balance) VALUES (1, 'ann', 100), (2, 'bob', 100)");
    }

    /** Reads the balance of account {@code id}; a distinct SQL text per caller keeps call-site sampling out of the way. */
    private static long read(Connection c, String sql, int id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getLong(1);
            }
        }
    }

    private static int write(Connection c, String sql, Object... values) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            return ps.executeUpdate();
        }
    }

    @Test
    void readThenAbsoluteUpdateInOneTransaction() throws Exception {
        expect(LU, 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                long b = read(c, "SELECT balance FROM lu_acc WHERE id = ? /* t1 */", 1);
                write(c, "UPDATE lu_acc SET balance = ? WHERE id = ?", b - 10, 1);
                c.commit();
            }
        });
    }

    @Test
    void readInOneTransactionAbsoluteUpdateInTheNextThroughHikari() throws Exception {
        try (HikariDataSource pool = TestDatabase.guardedPool(2, false)) {
            expect(LU, 1, () -> {
                long b;
                try (Connection c = pool.getConnection()) {
                    b = read(c, "SELECT * FROM lu_acc WHERE id = ? /* t2 */", 2);
                    c.commit();
                }
                try (Connection c = pool.getConnection()) {
                    write(c, "UPDATE lu_acc SET balance = ?, owner = ? WHERE id = ?", b + 5, "bob", 2);
                    c.commit();
                }
            });
        }
    }

    @Test
    void plainStatementsUnderAutocommitAndTheLogLine() throws Exception {
        try (LogCapture log = new LogCapture("jdbcguard." + LU)) {
            expect(LU, 1, () -> {
                try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
                    long b;
                    try (ResultSet rs = st.executeQuery("SELECT `balance` FROM `lu_acc` WHERE `id` = 1 /* t3 */")) {
                        rs.next();
                        b = rs.getLong(1);
                    }
                    st.executeUpdate("UPDATE lu_acc SET balance = " + (b * 2) + " WHERE id = 1");
                }
            });
            ILoggingEvent e = log.events().get(0);
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).startsWith("[lost-update] lu_acc(balance): a SELECT at io.jdbcguard.it.")
                    .contains("of one row by (id)").contains("as separate autocommit statements")
                    .contains("SELECT … FOR UPDATE").contains("SET balance = balance + ?").contains("version");
        }
    }

    @Test
    void safeNeighbours() throws Exception {
        // relative update
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                read(c, "SELECT balance FROM lu_acc WHERE id = ? /* s1 */", 1);
                write(c, "UPDATE lu_acc SET balance = balance + ? WHERE id = ?", 5, 1);
                c.commit();
            }
        });
        // optimistic locking on a version it read
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                long v = read(c, "SELECT version, balance FROM lu_acc WHERE id = ? /* s2 */", 1);
                assertThat(write(c, "UPDATE lu_acc SET balance = ?, version = ? WHERE id = ? AND version = ?",
                        1, v + 1, 1, v)).isEqualTo(1);
            }
        });
        // the read took the row lock in the same transaction
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                long b = read(c, "SELECT balance FROM lu_acc WHERE id = ? FOR UPDATE /* s3 */", 1);
                write(c, "UPDATE lu_acc SET balance = ? WHERE id = ?", b - 1, 1);
                c.commit();
            }
        });
        // read by a key that is not unique
        none(() -> {
            try (Connection c = TestDatabase.guarded();
                 PreparedStatement ps = c.prepareStatement("SELECT balance FROM lu_acc WHERE owner = ? /* s4 */")) {
                ps.setString(1, "ann");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                }
                write(c, "UPDATE lu_acc SET balance = ? WHERE owner = ?", 7, "ann");
            }
        });
        // writes a column it did not read; updates another row
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                read(c, "SELECT balance FROM lu_acc WHERE id = ? /* s5 */", 1);
                write(c, "UPDATE lu_acc SET owner = ? WHERE id = ?", "zed", 1);
                read(c, "SELECT balance FROM lu_acc WHERE id = ? /* s6 */", 1);
                write(c, "UPDATE lu_acc SET balance = ? WHERE id = ?", 3, 2);
            }
        });
        // SERIALIZABLE, one transaction
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                c.setAutoCommit(false);
                long b = read(c, "SELECT balance FROM lu_acc WHERE id = ? /* s7 */", 1);
                write(c, "UPDATE lu_acc SET balance = ? WHERE id = ?", b + 1, 1);
                c.commit();
            }
        });
    }

    @Test
    void lockingReadsUnderAutocommit() throws Exception {
        for (String lock : List.of("FOR UPDATE", "LOCK IN SHARE MODE")) {
            expect(LWT, 1, () -> {
                try (Connection c = TestDatabase.guarded()) {
                    read(c, "SELECT balance FROM lu_acc WHERE id = ? " + lock, 1);
                }
            });
        }
        try (LogCapture log = new LogCapture("jdbcguard." + LWT); Connection c = TestDatabase.guarded();
             Statement st = c.createStatement()) {
            st.executeQuery("SELECT * FROM lu_acc WHERE id = 2 FOR UPDATE").close();
            assertThat(log.messages()).singleElement().asString()
                    .startsWith("[lock-without-transaction] lu_acc: SELECT … FOR UPDATE at io.jdbcguard.it.LostUpdateAndLockTest")
                    .contains("ran under autocommit");
        }
    }

    @Test
    void lockingReadsInATransactionAreSafe() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                read(c, "SELECT balance FROM lu_acc WHERE id = ? FOR UPDATE", 1);
                c.commit();
                c.setAutoCommit(true);
                st.execute("START TRANSACTION");
                read(c, "SELECT balance FROM lu_acc WHERE id = ? LOCK IN SHARE MODE", 2);
                st.execute("COMMIT");
            }
        });
    }
}
