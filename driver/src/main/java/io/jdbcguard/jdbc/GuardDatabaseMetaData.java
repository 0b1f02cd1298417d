package io.jdbcguard.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;

/** The guard's metadata: forwards everything; {@code getConnection()} and result sets stay on the guard's side. */
public final class GuardDatabaseMetaData extends ForwardingDatabaseMetaData {

    private final GuardConnection connection;

    GuardDatabaseMetaData(GuardConnection connection, DatabaseMetaData delegate) {
        super(delegate);
        this.connection = connection;
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    @Override
    ResultSet wrapResultSet(ResultSet rs) {
        return rs == null ? null : new GuardResultSet(rs, null, connection, null);
    }
}
