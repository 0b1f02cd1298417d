package io.jdbcguard.core;

import io.jdbcguard.FindingListener;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Mode;
import io.jdbcguard.config.Setting;
import io.jdbcguard.fact.ConnectionInfo;
import io.jdbcguard.fact.FactBus;
import io.jdbcguard.fact.GuardRuntime;
import io.jdbcguard.fact.ServerFacts;
import io.jdbcguard.internal.Counters;
import io.jdbcguard.internal.GuardThreads;
import io.jdbcguard.internal.GuardUrl;
import io.jdbcguard.internal.SqlStates;
import io.jdbcguard.jdbc.GuardConnection;
import io.jdbcguard.rules.GuardRules;
import io.jdbcguard.rules.Reporter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Everything one guard owns: its fact bus and rules, its reporter and finding listeners, counters,
 * background threads, what it read of its servers, its data sources, its MBean and shutdown report.
 * {@link #close()} stops its threads, unregisters its MBean, removes its shutdown hook and empties every
 * thread's pattern memory, so nothing of it outlives it (an application server can drop its class loader).
 */
public final class GuardCore implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger();
    /** Data sources kept; the least recently used expire past this. */
    private static final int MAX_DATA_SOURCES = 64;

    private final String name;
    private final Reporter reporter = new Reporter();
    private final Counters counters = new Counters();
    private final GuardRules rules = new GuardRules(reporter, counters);
    private final GuardThreads threads;
    private final GuardRuntime runtime;
    private final GuardMBean mbean;
    private final ShutdownReport shutdown = new ShutdownReport(this);
    private final Map<String, ConnectionInfo.DataSourceInfo> dataSources = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ConnectionInfo.DataSourceInfo> eldest) {
            return size() > MAX_DATA_SOURCES;
        }
    };
    /** Data sources whose start-up line was logged, bounded like {@link #dataSources}. */
    private final Set<String> announced = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_DATA_SOURCES * 4;
        }
    });
    private volatile boolean closed;

    /** @param driversOwn whether this is the driver's guard (its MBean is {@code io.jdbcguard:type=GuardStats}) */
    public GuardCore(boolean driversOwn) {
        int id = IDS.incrementAndGet();
        this.name = driversOwn ? "default" : "guard-" + id;
        this.threads = new GuardThreads(name);
        FactBus bus = new FactBus();
        rules.register(bus);
        this.runtime = new GuardRuntime(bus, counters, threads, new ServerFacts.Registry(threads));
        this.mbean = new GuardMBean(driversOwn ? "io.jdbcguard:type=GuardStats" : "io.jdbcguard:type=GuardStats,name=" + name);
        threads.run(() -> mbean.register(this));
    }

    public Reporter reporter() {
        return reporter;
    }

    public Counters counters() {
        return counters;
    }

    public GuardRuntime runtime() {
        return runtime;
    }

    public GuardRules rules() {
        return rules;
    }

    public void addFindingListener(FindingListener l) {
        reporter.addListener(l);
    }

    public void removeFindingListener(FindingListener l) {
        reporter.removeListener(l);
    }

    /**
     * Opens the connection {@code jdbc:<rest>} names through the real driver and wraps it; configuration
     * errors, a missing driver and the real driver's failures are {@link SQLException}s.
     */
    public Connection connect(String url, Properties info) throws SQLException {
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
            // What is not a String reaches the real driver untouched; a guard setting must be a String.
            for (Map.Entry<Object, Object> e : info.entrySet()) {
                if (e.getKey() instanceof String && e.getValue() instanceof String) {
                    continue;
                }
                if (e.getKey() instanceof String && Setting.isGuardKey((String) e.getKey())) {
                    throw new SQLException("jdbc-guard: the setting " + e.getKey() + " is given as a "
                            + (e.getValue() == null ? "null" : e.getValue().getClass().getName())
                            + " in the connection properties; give it as a String", GuardConfig.CONFIG_SQLSTATE);
                }
                realProps.put(e.getKey(), e.getValue());
            }
        }
        GuardConfig config = GuardConfig.resolve(guardSettings);
        Driver real = findDriver(parsed.realUrl());
        Connection connection = real.connect(parsed.realUrl(), realProps);
        if (connection == null) {
            throw new SQLException("jdbc-guard: the driver " + real.getClass().getName() + " returned no connection for "
                    + GuardUrl.mask(parsed.realUrl()), SqlStates.SQLSTATE_CONNECT);
        }
        return guard(connection, real, parsed.realUrl(), realProps, config);
    }

    /**
     * The data source of a connection: one per masked URL, user and settings, the least recently used
     * expiring past {@link #MAX_DATA_SOURCES}. Its own connections (index and server reads) use the
     * credentials of its latest connection, so a changed password reaches them too.
     */
    private ConnectionInfo.DataSourceInfo dataSource(Driver real, String realUrl, Properties props, GuardConfig config) {
        String masked = GuardUrl.mask(realUrl);
        String key = masked + '|' + props.getProperty("user", "") + '|' + config;
        Properties copy = new Properties();
        copy.putAll(props);
        ConnectionInfo.DataSourceInfo ds;
        boolean announce;
        synchronized (dataSources) {
            ds = dataSources.get(key);
            if (ds == null) {
                AtomicReference<Properties> latest = new AtomicReference<>(copy);
                ds = new ConnectionInfo.DataSourceInfo(runtime, masked, config, () -> real.connect(realUrl, latest.get()),
                        sessionVariables(realUrl, copy), ConnectionInfo.serverKey(masked, props.getProperty("user")),
                        latest::set);
                dataSources.put(key, ds);
                shutdown.install(config);
            }
            announce = announced.add(key);
        }
        ds.credentialsUsed(copy);
        if (announce) {
            announce(masked, config);
        }
        return ds;
    }

    /** The line every way in logs when it starts guarding a data source: what, and with which settings. */
    private static void announce(String masked, GuardConfig config) {
        LoggerFactory.getLogger("jdbcguard").info("jdbc-guard {} guarding {} with {}", version(), masked, config);
    }

    /**
     * The one way into the guard for a connection something else opened: the agent (at a driver or a
     * vendor data source) and {@link io.jdbcguard.GuardDataSource} call it, and {@link #connect} ends in it.
     * Its types are the JDK's only, so that the agent, whose classes live in another loader, can hold one
     * method handle to it.
     *
     * @param opened   the connection the real driver or data source just opened
     * @param source   the {@link Driver} or {@link DataSource} that opened it
     * @param realUrl  the URL a driver was given ({@code null} for a data source)
     * @param info     the properties a driver was given ({@code null} for a data source)
     * @param settings the guard settings of this way in ({@code guard.*} keys)
     * @return the guard's connection; {@code opened} itself in mode {@code off}
     * @throws SQLException a bad setting (the caller decides: the agent hands the connection on unguarded)
     */
    public Connection guard(Connection opened, Object source, String realUrl, Properties info,
                            Map<String, String> settings) throws SQLException {
        return guard(opened, source, realUrl, info, GuardConfig.resolve(settings));
    }

    /** {@link #guard(Connection, Object, String, Properties, Map)} with the settings resolved already. */
    public Connection guard(Connection opened, Object source, String realUrl, Properties info, GuardConfig config) {
        if (config.mode() == Mode.OFF) {
            return opened;
        }
        ConnectionInfo.DataSourceInfo ds;
        if (source instanceof Driver) {
            // The guard's own connections take the same properties, as given (defaults flattened in).
            Properties props = new Properties();
            if (info != null) {
                props.putAll(info);
                for (String k : info.stringPropertyNames()) {
                    props.setProperty(k, info.getProperty(k));
                }
            }
            ds = dataSource((Driver) source, realUrl, props, config);
        } else {
            DataSource d = (DataSource) source;
            synchronized (vendorSources) {
                ds = vendorSources.get(d);
                if (ds == null || !ds.config().equals(config)) {
                    ds = wrapped(d, config, opened);
                    vendorSources.put(d, ds);
                }
            }
        }
        return new GuardConnection(opened, ds);
    }

    /** The guard's data source of each wrapped DataSource (the agent's vendor ones, GuardDataSource's), gone with them. */
    private final Map<DataSource, ConnectionInfo.DataSourceInfo> vendorSources = new java.util.WeakHashMap<>();

    /**
     * The data source of a wrapped {@code DataSource}: the guard's own connections come from it too. It is
     * named by the URL its first connection reports (masked; the driver answers from what it holds), else by
     * the data source's class.
     */
    private ConnectionInfo.DataSourceInfo wrapped(DataSource d, GuardConfig config, Connection first) {
        String name = null;
        try {
            name = first == null ? null : GuardUrl.mask(first.getMetaData().getURL());
        } catch (SQLException | RuntimeException e) {
            // A driver that cannot say: named by its class.
        }
        if (name == null || name.isEmpty()) {
            name = "datasource:" + d.getClass().getName();
        }
        ConnectionInfo.DataSourceInfo ds = new ConnectionInfo.DataSourceInfo(runtime, name, config, d::getConnection);
        shutdown.install(config);
        announce(name, config);
        return ds;
    }

    /** The jar's version, or {@code (dev)} when run from classes. */
    public static String version() {
        String v = GuardCore.class.getPackage().getImplementationVersion();
        return v == null ? "(dev)" : v;
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
    public static Driver findDriver(String realUrl) throws SQLException {
        List<String> registered = new ArrayList<>();
        Enumeration<Driver> drivers = DriverManager.getDrivers();
        while (drivers.hasMoreElements()) {
            Driver d = drivers.nextElement();
            if (d.getClass().getName().equals("io.jdbcguard.GuardDriver")) {
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
                + (registered.isEmpty() ? "none" : String.join(", ", registered)), SqlStates.SQLSTATE_CONNECT);
    }

    /** Whether the MBean is registered now. */
    public boolean mbeanRegistered() {
        return mbean.registered();
    }

    /** The summary line an application gets at shutdown. */
    public String summary() {
        return shutdown.summary();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        threads.close();
        mbean.unregister();
        shutdown.remove();
        rules.close();
        synchronized (dataSources) {
            dataSources.clear();
        }
    }
}
