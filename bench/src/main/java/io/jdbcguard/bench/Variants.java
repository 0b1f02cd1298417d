package io.jdbcguard.bench;

import com.p6spy.engine.spy.P6DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;

/** The variants measured side by side: the raw driver, the guard, and the peers, over one real URL. */
public final class Variants {

    /** Variant names, in report order. */
    public static final List<String> STUB = List.of("raw", "guard-off", "guard-norules", "guard", "p6spy-logging", "p6spy-core", "dsproxy");

    private Variants() {
    }

    /**
     * Configures P6Spy from system properties (logging module or core only, the no-op appender, no JMX);
     * takes effect only before P6Spy's classes initialise, so the first P6Spy variant opened in a JVM
     * decides. Without it P6Spy logs every statement to {@code spy.log} in the working directory.
     */
    static void configureP6Spy(boolean logging) {
        System.setProperty("p6spy.config.modulelist", logging
                ? "com.p6spy.engine.spy.P6SpyFactory,com.p6spy.engine.logging.P6LogFactory"
                : "com.p6spy.engine.spy.P6SpyFactory");
        System.setProperty("p6spy.config.appender", NoopP6Logger.class.getName());
        System.setProperty("p6spy.config.jmx", "false");
        System.setProperty("p6spy.config.autoflush", "false");
        System.setProperty("p6spy.config.reloadproperties", "false");
    }

    /**
     * A connection of one variant on a real {@code jdbc:…} URL (a stub or Connector/J one).
     *
     * @param variant raw, raw2 (a second raw copy: the noise floor), guard-off, guard-norules (wrappers and
     *                facts, every rule disabled), guard, p6spy-logging, p6spy-core, dsproxy
     */
    public static Connection open(String variant, String url) throws SQLException {
        switch (variant) {
            case "raw":
            case "raw2":
                return DriverManager.getConnection(url);
            case "guard":
                return DriverManager.getConnection("jdbc:guard:" + url.substring(5));
            case "guard-norules":
                return DriverManager.getConnection("jdbc:guard:" + url.substring(5) + (url.contains("?") ? "&" : "?")
                        + "guard.disable=" + java.util.Arrays.stream(io.jdbcguard.config.RuleId.values())
                                .map(io.jdbcguard.config.RuleId::id).collect(java.util.stream.Collectors.joining(",")));
            case "guard-norace":
                return DriverManager.getConnection("jdbc:guard:" + url.substring(5) + (url.contains("?") ? "&" : "?")
                        + "guard.disable=observed-race");
            case "guard-norepair":
                return DriverManager.getConnection("jdbc:guard:" + url.substring(5) + (url.contains("?") ? "&" : "?")
                        + "guard.recovery=off");
            case "guard-nolocks":
                return DriverManager.getConnection("jdbc:guard:" + url.substring(5) + (url.contains("?") ? "&" : "?")
                        + "guard.disable=lock-without-index,lock-order,deadlock");
            case "guard-off":
                return DriverManager.getConnection("jdbc:guard:" + url.substring(5)
                        + (url.contains("?") ? "&" : "?") + "guard.mode=off");
            case "p6spy-logging":
            case "p6spy-core":
                // Before P6Spy's first use in this JVM; later calls change nothing, P6Spy has read its options.
                configureP6Spy(variant.equals("p6spy-logging"));
                return new P6DataSource(new UrlDataSource(url)).getConnection();
            case "dsproxy":
                return ProxyDataSourceBuilder.create(new UrlDataSource(url)).listener(new NoopListener()).build()
                        .getConnection();
            default:
                throw new IllegalArgumentException(variant);
        }
    }

    /** A datasource-proxy listener that does nothing: the bare cost of its interception. */
    static final class NoopListener implements QueryExecutionListener {
        @Override
        public void beforeQuery(ExecutionInfo execInfo, List<QueryInfo> queryInfoList) {
        }

        @Override
        public void afterQuery(ExecutionInfo execInfo, List<QueryInfo> queryInfoList) {
        }
    }

    /** A minimal DataSource over DriverManager, for the wrappers that want one. */
    static final class UrlDataSource extends io.jdbcguard.it.ConnectionSource {
        private final String url;

        UrlDataSource(String url) {
            this.url = url;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return DriverManager.getConnection(url, new Properties());
        }
    }
}
