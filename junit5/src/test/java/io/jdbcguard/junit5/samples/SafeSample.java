package io.jdbcguard.junit5.samples;

import io.jdbcguard.it.TestDatabase;
import io.jdbcguard.junit5.JdbcGuardExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Get-or-create done safely: insert first, let the unique index decide. Must pass. */
@ExtendWith(JdbcGuardExtension.class)
public class SafeSample {

    @Test
    void insertFirst() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS jx_safe",
                "CREATE TABLE jx_safe (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) UNIQUE)");
        try (Connection c = TestDatabase.guarded();
             PreparedStatement ps = c.prepareStatement("INSERT INTO jx_safe (email) VALUES (?) "
                     + "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)")) {
            ps.setString(1, "a@x");
            ps.executeUpdate();
            ps.executeUpdate();
        }
    }
}
