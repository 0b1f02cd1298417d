package io.jdbcguard.it;

import static io.jdbcguard.it.RuleProbe.expect;
import static io.jdbcguard.it.RuleProbe.none;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 8: only a write that took effect completes a pattern, one that succeeded or an INSERT
 * that failed with a duplicate key. A table renamed between the check and the insert made the INSERT fail
 * with 1146, and the guard reported check-then-insert ERROR "no unique index".
 */
class FailedWriteTest {

    @BeforeEach
    void tables() {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS fw_u", "DROP TABLE IF EXISTS fw_u_renamed",
                "CREATE TABLE fw_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100), balance INT)",
                "INSERT INTO fw_u (email, balance) VALUES ('held@x', 10)");
    }

    private static boolean check(Connection c, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM fw_u WHERE email = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static SQLException insert(Connection c, String email) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO fw_u (email) VALUES (?)")) {
            ps.setString(1, email);
            ps.executeUpdate();
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    @Test
    void anInsertThatFailedBecauseTheTableIsGoneCompletesNoPattern() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                assertThat(check(c, "a@x")).isFalse();
                TestDatabase.exec("RENAME TABLE fw_u TO fw_u_renamed");
                assertThat(insert(c, "a@x").getErrorCode()).isEqualTo(1146);
            }
        });
    }

    @Test
    void theSameInsertSucceedingIsThePattern() throws Exception {
        expect("check-then-insert", 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                assertThat(check(c, "b@x")).isFalse();
                assertThat((Object) insert(c, "b@x")).isNull();
            }
        });
    }

    @Test
    void anInsertThatLostTheRaceWithADuplicateKeyIsThePattern() throws Exception {
        TestDatabase.execGuarded("CREATE UNIQUE INDEX ux_fw_email ON fw_u (email)");
        expect("check-then-insert", 1, () -> {
            try (Connection c = TestDatabase.guarded()) {
                assertThat(check(c, "c@x")).isFalse();
                TestDatabase.exec("INSERT INTO fw_u (email) VALUES ('c@x')");
                assertThat(insert(c, "c@x").getErrorCode()).isEqualTo(1062);
            }
        });
    }

    @Test
    void anUpdateThatFailedCompletesNoLostUpdate() throws Exception {
        none(() -> {
            try (Connection c = TestDatabase.guarded()) {
                c.setAutoCommit(false);
                long balance;
                try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM fw_u WHERE id = ?")) {
                    ps.setLong(1, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        balance = rs.getLong(1);
                    }
                }
                // Fails with 1054 (no such column): nothing was written, nothing was lost.
                try (PreparedStatement ps = c.prepareStatement("UPDATE fw_u SET balance = ?, nosuch = 1 WHERE id = ?")) {
                    ps.setLong(1, balance + 1);
                    ps.setLong(2, 1);
                    ps.executeUpdate();
                } catch (SQLException e) {
                    assertThat(e.getErrorCode()).isEqualTo(1054);
                }
                c.rollback();
            }
        });
    }
}
