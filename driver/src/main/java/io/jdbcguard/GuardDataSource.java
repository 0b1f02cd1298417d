package io.jdbcguard;

import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Mode;
import io.jdbcguard.config.Setting;
import io.jdbcguard.jdbc.GuardConnection;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that hands out guarded connections. Two ways to use it:
 * <ul>
 *   <li>wrap the application's own data source: {@code new GuardDataSource(realDataSource)}, with guard
 *       settings from {@link #setGuardProperties} and the usual system property, environment and file sources;</li>
 *   <li>as a bean for pools that take a data source class: {@code setUrl("jdbc:guard:mysql://…")},
 *       {@code setUser}, {@code setPassword}; connections then come from {@link GuardDriver}.</li>
 * </ul>
 */
public class GuardDataSource implements DataSource {

    private volatile DataSource delegate;
    private volatile String url;
    private volatile String user;
    private volatile String password;
    private final Properties properties = new Properties();
    private final Map<String, String> guardProperties = new LinkedHashMap<>();
    private PrintWriter logWriter;
    private int loginTimeout;

    private final Guard guard;

    /** A bean of the driver's guard: set the URL (and credentials) before the first {@link #getConnection()}. */
    public GuardDataSource() {
        this.guard = Guard.global();
    }

    /** Wraps an existing data source, for the driver's guard. */
    public GuardDataSource(DataSource delegate) {
        this(delegate, Guard.global());
    }

    /** Wraps an existing data source, for the given guard. */
    public GuardDataSource(DataSource delegate, Guard guard) {
        this.guard = guard;
        this.delegate = delegate;
    }

    /** The data source this one wraps, or {@code null} for the URL form. */
    public DataSource getDelegate() {
        return delegate;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    /** Alias of {@link #setUrl} for frameworks that say {@code jdbcUrl}. */
    public void setJdbcUrl(String url) {
        this.url = url;
    }

    public String getUrl() {
        return url;
    }

    public void setUser(String user) {
        this.user = user;
    }

    /** Alias of {@link #setUser}. */
    public void setUsername(String user) {
        this.user = user;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    /** Properties passed to the real driver (with the URL form); {@code guard.*} keys among them configure the guard. */
    public void setProperties(Properties props) {
        synchronized (properties) {
            properties.clear();
            properties.putAll(props);
        }
    }

    /** Guard settings for the wrapping form, e.g. {@code guard.mode=strict}. */
    public synchronized void setGuardProperties(Properties props) {
        guardProperties.clear();
        for (String k : props.stringPropertyNames()) {
            guardProperties.put(k, props.getProperty(k));
        }
        config = null;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return getConnection(user, password);
    }

    @Override
    public Connection getConnection(String username, String pass) throws SQLException {
        DataSource d = delegate;
        if (d != null) {
            GuardConfig config = config();
            Connection c = username == null && pass == null ? d.getConnection() : d.getConnection(username, pass);
            if (config.mode() == Mode.OFF || guardedAlready(c)) {
                return c;
            }
            try {
                return guard.core().guard(c, d, null, null, config);
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }
        String u = url;
        if (u == null) {
            throw new SQLException("jdbc-guard: GuardDataSource has neither a URL nor a data source to wrap", GuardConfig.CONFIG_SQLSTATE);
        }
        if (!io.jdbcguard.internal.GuardUrl.accepts(u)) {
            throw new SQLException("jdbc-guard: GuardDataSource's url '" + io.jdbcguard.internal.GuardUrl.mask(u)
                    + "' does not start with " + io.jdbcguard.internal.GuardUrl.PREFIX + " (e.g. jdbc:guard:mysql://…)",
                    GuardConfig.CONFIG_SQLSTATE);
        }
        Properties p = new Properties();
        synchronized (properties) {
            p.putAll(properties);
        }
        if (username != null) {
            p.setProperty("user", username);
        }
        if (pass != null) {
            p.setProperty("password", pass);
        }
        if (loginTimeout > 0) {
            p.putIfAbsent("connectTimeout", String.valueOf(loginTimeout * 1000));
        }
        return guard.core().connect(u, p);
    }

    /**
     * Never twice: a connection that is the guard's already, here or underneath (a routing data source over
     * guarded targets, a pool over a {@code jdbc:guard:} URL, or one the Java agent guarded where it was
     * made): the pool's proxy says so through {@code isWrapperFor}, which the guard answers for its own class
     * whichever class loader defined it.
     */
    private static boolean guardedAlready(Connection c) {
        if (c instanceof GuardConnection) {
            return true;
        }
        try {
            return c.isWrapperFor(GuardConnection.class);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private volatile GuardConfig config;

    /** The guard settings of the wrapping form, checked at the first connection (a bad one fails it). */
    private GuardConfig config() throws SQLException {
        GuardConfig c = config;
        if (c == null) {
            Map<String, String> guard;
            synchronized (this) {
                guard = new LinkedHashMap<>(guardProperties);
            }
            for (String k : guard.keySet()) {
                if (!Setting.isGuardKey(k)) {
                    throw new SQLException("jdbc-guard: '" + k + "' is not a guard setting; valid keys: "
                            + Setting.ALL, GuardConfig.CONFIG_SQLSTATE);
                }
            }
            c = GuardConfig.resolve(guard);
            config = c;
        }
        return c;
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate != null ? delegate.getLogWriter() : logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        if (delegate != null) {
            delegate.setLogWriter(out);
        } else {
            logWriter = out;
        }
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        if (delegate != null) {
            delegate.setLoginTimeout(seconds);
        } else {
            loginTimeout = seconds;
        }
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate != null ? delegate.getLoginTimeout() : loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        if (delegate != null) {
            return delegate.getParentLogger();
        }
        throw new SQLFeatureNotSupportedException("jdbc-guard logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        if (delegate != null) {
            return delegate.unwrap(iface);
        }
        throw new SQLException("jdbc-guard: GuardDataSource does not wrap a " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || (delegate != null && delegate.isWrapperFor(iface));
    }
}
