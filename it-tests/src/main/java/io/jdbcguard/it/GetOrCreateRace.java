package io.jdbcguard.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The seed's get-or-create race, for real: threads started together behind a barrier each run
 * "SELECT the key; if absent, INSERT it" in a REPEATABLE READ transaction over a small set of keys.
 */
public final class GetOrCreateRace {

    /** What one run did. */
    public record Result(int rows, int distinctKeys, int duplicateKeyErrors, int calls) {
        public int duplicateRows() {
            return rows - distinctKeys;
        }
    }

    private final String url;
    private final String table;

    public GetOrCreateRace(String url, String table) {
        this.url = url;
        this.table = table;
    }

    /** Creates the table anew, with or without a unique index on the key. */
    public void reset(boolean uniqueIndex) {
        TestDatabase.exec("DROP TABLE IF EXISTS " + table,
                "CREATE TABLE " + table + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL"
                        + (uniqueIndex ? ", UNIQUE KEY ux_" + table + "_email (email)" : ", KEY ix_" + table + "_email (email)")
                        + ") ENGINE=InnoDB");
    }

    /** The racy code, as an application writes it. Returns the id, or throws the duplicate-key error. */
    public static long getOrCreate(Connection c, String table, String email) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT id FROM " + table + " WHERE email = ?")) {
            select.setString(1, email);
            try (ResultSet rs = select.executeQuery()) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            }
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (email) VALUES (?)",
                Statement.RETURN_GENERATED_KEYS)) {
            insert.setString(1, email);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** Runs threads × calls get-or-creates over {@code keys} emails; each call is one transaction. */
    public Result run(int threads, int callsPerThread, int keys) throws Exception {
        RaceAtScale.Counts counts = RaceAtScale.run(url, table, threads, callsPerThread, keys, RaceAtScale.naive(table));
        try (Connection c = TestDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(DISTINCT email) FROM " + table)) {
            rs.next();
            return new Result(counts.rows(), rs.getInt(1), counts.errors(), threads * callsPerThread);
        }
    }
}
