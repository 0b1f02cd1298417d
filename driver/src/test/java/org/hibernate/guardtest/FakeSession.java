package org.hibernate.guardtest;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands for an ORM session in call-site tests: it holds writes and runs them itself when its transaction
 * commits, as Hibernate does, so no application frame lies between the JDBC call and the commit that
 * flushed it. In Hibernate's package, because the guard knows ORM frames by their package.
 */
public final class FakeSession {

    private final Connection connection;
    private final List<String> pending = new ArrayList<>();

    public FakeSession(Connection connection) {
        this.connection = connection;
    }

    public void persist(String insert) {
        pending.add(insert);
    }

    /** The name Hibernate's session gives the flush it runs before a transaction completes. */
    public void flushBeforeTransactionCompletion() throws SQLException {
        try (Statement st = connection.createStatement()) {
            for (String sql : pending) {
                st.executeUpdate(sql);
            }
        }
        pending.clear();
    }
}
