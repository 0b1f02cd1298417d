package com.acme.shop.infra;

import java.sql.SQLException;
import java.sql.Statement;

/** A plain helper of the application's infrastructure package: excluded with {@code !com.acme.shop.infra}. */
public final class Dao {

    private Dao() {
    }

    public static void insert(Statement st, String email) throws SQLException {
        st.executeUpdate("INSERT INTO users (email) VALUES ('" + email + "')");
    }
}
