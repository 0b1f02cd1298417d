package io.jdbcguard.jdbc;

import java.sql.CallableStatement;

/** The guard's callable statement: executions are observed as for prepared statements; nothing else is intercepted. */
public final class GuardCallableStatement extends ForwardingCallableStatement {

    GuardCallableStatement(GuardConnection connection, CallableStatement delegate, String sql,
                           io.jdbcguard.sql.SqlShape shape) {
        super(connection, delegate, sql, shape);
    }
}
