package io.jdbcguard.it;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Tables of the PostgreSQL tests, made anew: every test and program starts from the same schema. */
public final class PostgresTables {

    private PostgresTables() {
    }

    /** Runs statements on the test database, straight. */
    public static void exec(String... sql) {
        try (Connection c = PgDatabase.raw(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops each table and creates it again from the DDL ({@code %s} is the table's name). */
    public static void recreate(String ddl, String... tables) {
        for (String t : tables) {
            exec("DROP TABLE IF EXISTS " + t + " CASCADE", String.format(ddl, t));
        }
    }
}
