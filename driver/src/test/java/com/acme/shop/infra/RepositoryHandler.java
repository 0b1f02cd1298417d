package com.acme.shop.infra;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/** A JDK-proxy repository, as an application's data layer writes one: every method is a get-or-create. */
public final class RepositoryHandler implements InvocationHandler {

    private final Connection connection;

    public RepositoryHandler(Connection connection) {
        this.connection = connection;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        try (Statement st = connection.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id FROM users WHERE email = '" + args[0] + "'")) {
                boolean found = rs.next();
                if (method.getName().equals("exists")) {
                    return found;
                }
                if (found) {
                    return null;
                }
            }
            st.executeUpdate("INSERT INTO users (email) VALUES ('" + args[0] + "')");
        }
        return null;
    }
}
