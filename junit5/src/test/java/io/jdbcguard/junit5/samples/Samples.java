package io.jdbcguard.junit5.samples;

import io.jdbcguard.it.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** What the sample tests do: a get-or-create, unsafe or safe, on the embedded server. */
public final class Samples {

    private Samples() {
    }

    /** A fresh table without a unique index on email. */
    public static void table(String name) {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS " + name,
                "CREATE TABLE " + name + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100))");
    }

    /** Checks, then inserts: the race. */
    public static void getOrCreate(Connection c, String table, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " WHERE email = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (email) VALUES (?)")) {
            ps.setString(1, email);
            ps.executeUpdate();
        }
    }
}
