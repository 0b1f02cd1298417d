package io.jdbcguard.stub;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A JDBC driver for {@code jdbc:stub:} URLs that answers instantly: queries return one row whose columns
 * are all {@code 42}, or no row when the SQL mentions {@code missing} (or is a {@code COUNT} that must
 * find 0 when it mentions {@code missing}); updates count 1. Nothing is allocated per call: a statement
 * reuses one result set; an update whose SQL mentions {@code duplicate} fails with MySQL's duplicate-key
 * error (1062, SQLState 23000), one that mentions {@code deadlock} with InnoDB's deadlock (1213, SQLState
 * 40001). Used to measure interception without a network, and for the rules' fast
 * unit tests.
 */
public final class StubDriver implements Driver {

    static {
        try {
            DriverManager.registerDriver(new StubDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Makes sure the driver is registered. */
    public static void load() {
    }

    /** What the last {@code connect} was given: the URL and the properties, as the real driver sees them. */
    public static volatile String lastUrl;
    public static volatile Properties lastInfo;

    @Override
    public Connection connect(String url, Properties info) {
        if (!acceptsURL(url)) {
            return null;
        }
        lastUrl = url;
        lastInfo = info;
        return connection(url.startsWith("jdbc:stub:postgresql"));
    }

    /** A new stub connection. */
    public static Connection connection() {
        return connection(false);
    }

    /** A new stub connection whose metadata says PostgreSQL ({@code jdbc:stub:postgresql…}), or a server the guard does not know. */
    public static Connection connection(boolean postgres) {
        ConnectionHandler h = new ConnectionHandler();
        h.postgres = postgres;
        return (Connection) Proxy.newProxyInstance(StubDriver.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith("jdbc:stub:");
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getLogger("stub");
    }

    static Object defaultValue(Class<?> type) {
        if (type == boolean.class) {
            return Boolean.FALSE;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == double.class) {
            return 0d;
        }
        if (type == float.class) {
            return 0f;
        }
        if (type == short.class) {
            return (short) 0;
        }
        if (type == byte.class) {
            return (byte) 0;
        }
        return null;
    }

    /** What every stub object answers alike: the wrapper and identity methods, else a default value. */
    static Object common(Object self, Method m, Object[] args, String name) throws SQLException {
        switch (m.getName()) {
            case "isWrapperFor":
                return ((Class<?>) args[0]).isInstance(self);
            case "unwrap":
                if (((Class<?>) args[0]).isInstance(self)) {
                    return self;
                }
                throw new SQLException("not a wrapper for " + args[0]);
            case "hashCode":
                return System.identityHashCode(self);
            case "equals":
                return self == args[0];
            case "toString":
                return name;
            default:
                return defaultValue(m.getReturnType());
        }
    }

    static final class ConnectionHandler implements InvocationHandler {
        private boolean autoCommit = true;
        private boolean closed;
        private boolean postgres;
        private Connection self;

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            self = (Connection) proxy;
            switch (m.getName()) {
                case "prepareStatement":
                    return statement(PreparedStatement.class, (String) args[0]);
                case "prepareCall":
                    return statement(CallableStatement.class, (String) args[0]);
                case "createStatement":
                    return statement(Statement.class, null);
                case "getAutoCommit":
                    return autoCommit;
                case "setAutoCommit":
                    autoCommit = (Boolean) args[0];
                    return null;
                case "getTransactionIsolation":
                    return Connection.TRANSACTION_REPEATABLE_READ;
                case "isClosed":
                    return closed;
                case "close":
                    closed = true;
                    return null;
                case "isValid":
                    return true;
                case "getMetaData":
                    return Proxy.newProxyInstance(StubDriver.class.getClassLoader(),
                            new Class<?>[] {DatabaseMetaData.class}, (p, mm, a) -> {
                                switch (mm.getName()) {
                                    case "getConnection":
                                        return self;
                                    case "getURL":
                                        return "jdbc:stub:";
                                    case "getDatabaseProductName":
                                        return postgres ? "PostgreSQL" : "Stub";
                                    case "getDatabaseProductVersion":
                                        return postgres ? "14.0" : "1.0";
                                    case "getDriverVersion":
                                        return "1.0";
                                    case "getDriverName":
                                        return "stub";
                                    default:
                                        return defaultValue(mm.getReturnType());
                                }
                            });
                default:
                    return common(proxy, m, args, "StubConnection");
            }
        }

        private Object statement(Class<?> type, String sql) {
            StatementHandler h = new StatementHandler(self, sql);
            Object st = Proxy.newProxyInstance(StubDriver.class.getClassLoader(), new Class<?>[] {type}, h);
            h.self = (Statement) st;
            return st;
        }
    }

    static final class StatementHandler implements InvocationHandler {
        private final Connection connection;
        private final String sql;
        Statement self;
        private final ResultSetHandler rsHandler = new ResultSetHandler();
        private ResultSet rs;
        private int batch;

        StatementHandler(Connection connection, String sql) {
            this.connection = connection;
            this.sql = sql;
        }

        private static void duplicate(String text) throws SQLException {
            if (text != null && text.contains("pgdeadlock")) { // pgJDBC's shape: SQLState only, the detail in the message
                throw new SQLException("ERROR: deadlock detected\n  Detail: Process 4711 waits for ShareLock on"
                        + " transaction 812; blocked by process 4712.\nProcess 4712 waits for ShareLock on transaction"
                        + " 811; blocked by process 4711.\n  Hint: See server log for query details.", "40P01", 0);
            }
            if (text != null && text.contains("deadlock")) {
                throw new java.sql.SQLTransactionRollbackException(
                        "Deadlock found when trying to get lock; try restarting transaction", "40001", 1213);
            }
            if (text != null && text.contains("duplicate")) {
                throw new java.sql.SQLIntegrityConstraintViolationException("Duplicate entry 'duplicate' for key 'ux'",
                        "23000", 1062);
            }
        }

        private ResultSet result(String text) {
            if (rs == null) {
                rs = (ResultSet) Proxy.newProxyInstance(StubDriver.class.getClassLoader(),
                        new Class<?>[] {ResultSet.class}, rsHandler);
                rsHandler.statement = self;
            }
            boolean missing = text != null && text.contains("missing");
            boolean count = text != null && (text.startsWith("SELECT COUNT") || text.startsWith("select count"));
            rsHandler.reset(count ? 1 : missing ? 0 : 1, count && missing ? 0 : 42);
            return rs;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            switch (m.getName()) {
                case "executeQuery":
                    return result(args == null ? sql : (String) args[0]);
                case "getResultSet":
                    return rs;
                case "getGeneratedKeys":
                    return result(null);
                case "execute":
                    result(args == null ? sql : (String) args[0]);
                    return Boolean.TRUE;
                case "executeUpdate":
                    duplicate(args == null ? sql : (String) args[0]);
                    return 1;
                case "executeLargeUpdate":
                    duplicate(args == null ? sql : (String) args[0]);
                    return 1L;
                case "getUpdateCount":
                    return -1;
                case "addBatch":
                    batch++;
                    return null;
                case "clearBatch":
                    batch = 0;
                    return null;
                case "executeBatch": {
                    int[] r = new int[batch];
                    java.util.Arrays.fill(r, 1);
                    batch = 0;
                    return r;
                }
                case "getConnection":
                    return connection;
                default:
                    return common(proxy, m, args, "StubStatement");
            }
        }
    }

    static final class ResultSetHandler implements InvocationHandler {
        Statement statement;
        private int rows;
        private int cursor;
        private long value;

        void reset(int rows, long value) {
            this.rows = rows;
            this.value = value;
            this.cursor = 0;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            switch (m.getName()) {
                case "next":
                    return ++cursor <= rows;
                case "getLong":
                    return value;
                case "getInt":
                    return (int) value;
                case "getString":
                    return String.valueOf(value);
                case "getObject":
                    return value;
                case "getStatement":
                    return statement;
                default:
                    return common(proxy, m, args, "StubResultSet");
            }
        }
    }
}
