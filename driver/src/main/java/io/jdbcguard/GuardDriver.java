package io.jdbcguard;

import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Mode;
import io.jdbcguard.config.Setting;
import io.jdbcguard.fact.ConnectionInfo;
import io.jdbcguard.internal.GuardUrl;
import io.jdbcguard.jdbc.GuardConnection;
import io.jdbcguard.rules.GuardRules;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jdbc-guard driver: {@code jdbc:guard:<rest>} opens the connection that {@code jdbc:<rest>} would
 * open, through whatever driver on the classpath accepts {@code jdbc:<rest>}, and wraps it.
 *
 * <p>Registered through {@code META-INF/services/java.sql.Driver}. {@code guard.*} URL parameters and
 * connection properties configure the guard and never reach the real driver.
 */
public final class GuardDriver implements Driver {

    /** SQLState when no real driver accepts the URL (a connection could not be established). */
    public static final String NO_DRIVER_SQLSTATE = io.jdbcguard.internal.Vendor.SQLSTATE_CONNECT;

    private static final GuardDriver INSTANCE = new GuardDriver();
    /** Data sources the guard knows, the most recently used last; the least recently used expire past the bound. */
    private static final int MAX_DATA_SOURCES = 64;
    private static final Map<String, ConnectionInfo.DataSourceInfo> DATA_SOURCES =
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ConnectionInfo.DataSourceInfo> eldest) {
                    return size() > MAX_DATA_SOURCES;
                }
            };
    /** The data sources whose start-up line was logged (servers and settings), bounded like {@link #DATA_SOURCES}. */
    private static final java.util.Set<String> ANNOUNCED = java.util.Collections.newSetFromMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > MAX_DATA_SOURCES * 4;
                }
            });

    static {
        GuardRules.install();
        try {
            DriverManager.registerDriver(INSTANCE);
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The registered instance. */
    public static GuardDriver instance() {
        return INSTANCE;
    }

    @Override
    public boolean acceptsURL(String url) {
        return GuardUrl.accepts(url);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        GuardUrl parsed = GuardUrl.parse(url);
        if (!parsed.problems().isEmpty()) {
            throw new SQLException("jdbc-guard: " + String.join("; ", parsed.problems()) + "; valid keys: "
                    + Setting.validKeys(), GuardConfig.CONFIG_SQLSTATE);
        }
        Map<String, String> guardSettings = new LinkedHashMap<>(parsed.guardParams());
        Properties realProps = new Properties();
        if (info != null) {
            for (String key : info.stringPropertyNames()) {
                if (Setting.isGuardKey(key)) {
                    String value = info.getProperty(key);
                    String before = guardSettings.putIfAbsent(key, value);
                    if (before != null && !before.equals(value)) {
                        throw new SQLException("jdbc-guard: " + key + " is given twice with different values ('"
                                + before + "' in the URL, '" + value + "' in the connection properties)",
                                GuardConfig.CONFIG_SQLSTATE);
                    }
                } else {
                    realProps.setProperty(key, info.getProperty(key));
                }
            }
        }
        GuardConfig config = GuardConfig.resolve(guardSettings);
        Driver real = findDriver(parsed.realUrl());
        Connection connection = real.connect(parsed.realUrl(), realProps);
        if (connection == null) {
            throw new SQLException("jdbc-guard: the driver " + real.getClass().getName() + " returned no connection for "
                    + GuardUrl.mask(parsed.realUrl()), NO_DRIVER_SQLSTATE);
        }
        if (config.mode() == Mode.OFF) {
            return connection;
        }
        return new GuardConnection(connection, dataSource(real, parsed.realUrl(), realProps, config));
    }

    /**
     * The data source of a connection: one per masked URL, user and settings, the least recently used
     * expiring past {@link #MAX_DATA_SOURCES}. Its own connections (index and server reads) use the
     * credentials of its latest connection, so a changed password reaches them too.
     */
    private static ConnectionInfo.DataSourceInfo dataSource(Driver real, String realUrl, Properties props,
                                                            GuardConfig config) {
        String masked = GuardUrl.mask(realUrl);
        String key = masked + '|' + props.getProperty("user", "") + '|' + config;
        Properties copy = new Properties();
        copy.putAll(props);
        ConnectionInfo.DataSourceInfo ds;
        boolean announce;
        synchronized (DATA_SOURCES) {
            ds = DATA_SOURCES.get(key);
            if (ds == null) {
                java.util.concurrent.atomic.AtomicReference<Properties> latest =
                        new java.util.concurrent.atomic.AtomicReference<>(copy);
                ds = new ConnectionInfo.DataSourceInfo(masked, config, () -> real.connect(realUrl, latest.get()),
                        sessionVariables(realUrl, copy), ConnectionInfo.serverKey(masked, props.getProperty("user")),
                        latest::set);
                DATA_SOURCES.put(key, ds);
                io.jdbcguard.report.ShutdownReport.install(config);
            }
            announce = ANNOUNCED.add(key);
        }
        ds.credentialsUsed(copy);
        if (announce) {
            LoggerFactory.getLogger("jdbcguard").info("jdbc-guard {} guarding {} with {}",
                    GuardDriver.class.getPackage().getImplementationVersion() == null ? "(dev)"
                            : GuardDriver.class.getPackage().getImplementationVersion(), masked, config);
        }
        return ds;
    }

    /** Connector/J's {@code sessionVariables}, from the properties or the URL, decoded; or {@code null}. */
    static String sessionVariables(String realUrl, Properties props) {
        String v = props.getProperty("sessionVariables");
        if (v != null) {
            return v;
        }
        int q = realUrl.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String part : realUrl.substring(q + 1).split("&")) {
            if (part.regionMatches(true, 0, "sessionVariables=", 0, 17)) {
                try {
                    return java.net.URLDecoder.decode(part.substring(17), java.nio.charset.StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return part.substring(17);
                }
            }
        }
        return null;
    }

    /** The registered driver, other than this one, that accepts the URL. */
    static Driver findDriver(String realUrl) throws SQLException {
        List<String> registered = new ArrayList<>();
        Enumeration<Driver> drivers = DriverManager.getDrivers();
        while (drivers.hasMoreElements()) {
            Driver d = drivers.nextElement();
            if (d instanceof GuardDriver) {
                continue;
            }
            registered.add(d.getClass().getName());
            try {
                if (d.acceptsURL(realUrl)) {
                    return d;
                }
            } catch (SQLException ignored) {
                // A driver that cannot even answer acceptsURL does not serve this URL.
            }
        }
        throw new SQLException("jdbc-guard: no JDBC driver accepts " + GuardUrl.mask(realUrl)
                + "; is the real driver's jar (e.g. com.mysql:mysql-connector-j) on the classpath? Registered drivers: "
                + (registered.isEmpty() ? "none" : String.join(", ", registered)), NO_DRIVER_SQLSTATE);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        List<DriverPropertyInfo> out = new ArrayList<>();
        for (Setting<?> s : Setting.ALL) {
            DriverPropertyInfo p = new DriverPropertyInfo(s.key(), info == null ? null : info.getProperty(s.key()));
            if (p.value == null) {
                p.value = s.defaultText();
            }
            p.description = s.description();
            p.required = false;
            p.choices = s.choices().isEmpty() ? null : s.choices().toArray(new String[0]);
            out.add(p);
        }
        if (acceptsURL(url)) {
            GuardUrl parsed = GuardUrl.parse(url);
            try {
                Driver real = findDriver(parsed.realUrl());
                for (DriverPropertyInfo p : real.getPropertyInfo(parsed.realUrl(), info)) {
                    out.add(p);
                }
            } catch (SQLException ignored) {
                // Without a real driver, the guard's own settings are all there is to list.
            }
        }
        return out.toArray(new DriverPropertyInfo[0]);
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    /** Not JDBC compliant by itself: it is exactly as compliant as the driver it wraps. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("jdbc-guard logs through SLF4J");
    }
}
