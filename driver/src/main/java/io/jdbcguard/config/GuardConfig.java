package io.jdbcguard.config;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The guard's resolved settings for one data source: immutable, thread-safe.
 *
 * <p>Precedence, highest first: URL parameter or connection property, JVM system property of the same
 * name, environment variable ({@code GUARD_MODE} for {@code guard.mode}), a {@code jdbc-guard.properties}
 * file on the classpath, the default. An unknown {@code guard.*} key from any source but the environment,
 * or a bad value from any source, is an {@link SQLException} naming the key, the value and what is
 * accepted. {@code GUARD_*} environment variables that match no setting are ignored: the environment
 * is shared with other software.
 */
public final class GuardConfig {

    /** The file looked up on the classpath. */
    public static final String FILE_NAME = "jdbc-guard.properties";

    /** SQLState of a configuration error. */
    public static final String CONFIG_SQLSTATE = io.jdbcguard.internal.SqlStates.SQLSTATE_CONNECT;

    private static final GuardConfig DEFAULTS = new GuardConfig(new Object[Setting.ALL.size()]);

    private final Object[] values;
    /** What every statement asks, resolved once: the settings are fixed for the configuration's life. */
    private final Mode mode;
    private final int disabledMask;
    private final List<String> appPackages;
    private final long windowNanos;

    private GuardConfig(Object[] values) {
        this.values = values;
        this.mode = get(Setting.MODE);
        int disabled = 0;
        for (RuleId r : get(Setting.DISABLE)) {
            disabled |= 1 << r.ordinal();
        }
        this.disabledMask = disabled;
        this.appPackages = get(Setting.APP_PACKAGES);
        this.windowNanos = get(Setting.WINDOW_MS) * 1_000_000L;
    }

    /** All defaults. */
    public static GuardConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Resolves settings from the four explicit sources.
     *
     * @param connection guard keys from the URL and connection properties (highest)
     * @param system     JVM system properties (all of them; non-guard keys are ignored)
     * @param env        environment variables (all of them)
     * @param file       the contents of {@code jdbc-guard.properties}, or empty
     * @throws SQLException for an unknown key or a bad value
     */
    public static GuardConfig resolve(Map<String, String> connection, Properties system, Map<String, String> env,
                                      Properties file) throws SQLException {
        checkKeys(connection.keySet(), "the URL or connection properties");
        checkKeys(system.stringPropertyNames(), "a JVM system property");
        checkKeys(file.stringPropertyNames(), FILE_NAME);
        Object[] values = new Object[Setting.ALL.size()];
        for (int i = 0; i < values.length; i++) {
            Setting<?> s = Setting.ALL.get(i);
            // Every source's value is checked, not only the one that wins: a bad value anywhere is a
            // mistake somebody will otherwise find later, when the higher source goes away.
            Object fromFile = parse(s, file.getProperty(s.key()), FILE_NAME);
            Object fromEnv = parse(s, env.get(s.envName()), "environment variable " + s.envName());
            Object fromSystem = parse(s, system.getProperty(s.key()), "JVM system property");
            Object fromConnection = parse(s, connection.get(s.key()), "the URL or connection properties");
            values[i] = fromConnection != null ? fromConnection : fromSystem != null ? fromSystem
                    : fromEnv != null ? fromEnv : fromFile;
        }
        return new GuardConfig(values);
    }

    private static Object parse(Setting<?> s, String text, String source) throws SQLException {
        if (text == null) {
            return null;
        }
        try {
            return s.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SQLException("jdbc-guard: bad value '" + text + "' for " + s.key() + " (from " + source
                    + "); " + e.getMessage(), CONFIG_SQLSTATE);
        }
    }

    /** Resolves with the real system properties, environment and classpath file. */
    public static GuardConfig resolve(Map<String, String> connection) throws SQLException {
        return resolve(connection, System.getProperties(), System.getenv(), classpathFile());
    }

    private static void checkKeys(Set<String> keys, String source) throws SQLException {
        for (String key : keys) {
            if (Setting.isGuardKey(key) && !key.equals(key.strip())) {
                throw new SQLException("jdbc-guard: the setting '" + key + "' (from " + source + ") has whitespace"
                        + " around its key; write it as '" + key.strip() + "'", CONFIG_SQLSTATE);
            }
            if (Setting.isGuardKey(key) && Setting.byKey(key) == null) {
                throw new SQLException("jdbc-guard: unknown setting '" + key + "' (from " + source
                        + "); valid keys: " + Setting.validKeys(), CONFIG_SQLSTATE);
            }
        }
    }

    /** Reads {@code jdbc-guard.properties} from the context class loader, else the guard's own. */
    static Properties classpathFile() throws SQLException {
        List<String> twice = new java.util.ArrayList<>();
        Properties p = new Properties() {
            @Override
            public synchronized Object put(Object key, Object value) {
                Object before = super.put(key, value);
                if (before != null && !before.equals(value)) {
                    twice.add(key + " is given twice ('" + before + "' and '" + value + "')");
                }
                return before;
            }
        };
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) {
            cl = GuardConfig.class.getClassLoader();
        }
        try (InputStream in = cl.getResourceAsStream(FILE_NAME)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException | IllegalArgumentException e) {
            // Properties.load throws IllegalArgumentException for a malformed unicode escape.
            throw new SQLException("jdbc-guard: cannot read " + FILE_NAME + " (" + e.getMessage()
                    + "); fix or remove the file", CONFIG_SQLSTATE, e);
        }
        if (!twice.isEmpty()) {
            throw new SQLException("jdbc-guard: in " + FILE_NAME + ", " + String.join("; ", twice)
                    + "; keep one of them", CONFIG_SQLSTATE);
        }
        Properties plain = new Properties();
        plain.putAll(p);
        return plain;
    }

    /** The value of a setting. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Object v = values[Setting.ALL.indexOf(setting)];
        return v == null ? setting.defaultValue() : (T) v;
    }

    public Mode mode() {
        return mode;
    }

    public boolean enabled(RuleId rule) {
        return (disabledMask & (1 << rule.ordinal())) == 0;
    }

    public Recovery recovery() {
        return get(Setting.RECOVERY);
    }

    public boolean logValues() {
        return get(Setting.LOG_VALUES);
    }

    public List<String> appPackages() {
        return appPackages;
    }

    /** The directory for the shutdown report, or empty for none. */
    public String report() {
        return get(Setting.REPORT);
    }

    public long windowNanos() {
        return windowNanos;
    }

    /** The effective settings, for the start-up log line; no secrets live here. */
    /** Equal when every setting has the same value: two ways in with the same settings share a data source. */
    @Override
    public boolean equals(Object o) {
        return o instanceof GuardConfig && java.util.Arrays.equals(values, ((GuardConfig) o).values);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Setting<?> s : Setting.ALL) {
            Object v = get(s);
            sb.append(sb.length() == 0 ? "" : ", ").append(s.key()).append('=')
                    .append(v instanceof Enum<?> ? ((Enum<?>) v).name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') : v);
        }
        return sb.toString();
    }
}
