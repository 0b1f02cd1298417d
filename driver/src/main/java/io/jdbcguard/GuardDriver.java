package io.jdbcguard;

import io.jdbcguard.config.Setting;
import io.jdbcguard.internal.GuardUrl;
import io.jdbcguard.core.GuardCore;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The jdbc-guard driver: {@code jdbc:guard:<rest>} opens the connection that {@code jdbc:<rest>} would
 * open, through whatever driver on the classpath accepts {@code jdbc:<rest>}, and wraps it.
 *
 * <p>Registered through {@code META-INF/services/java.sql.Driver}. {@code guard.*} URL parameters and
 * connection properties configure the guard and never reach the real driver.
 */
public final class GuardDriver implements Driver {

    /** SQLState when no real driver accepts the URL (a connection could not be established). */
    public static final String NO_DRIVER_SQLSTATE = io.jdbcguard.internal.SqlStates.SQLSTATE_CONNECT;

    private static final GuardDriver INSTANCE = new GuardDriver(new GuardCore(true));

    static {
        try {
            // Deregistering the driver (an application server undeploying) closes its guard.
            DriverManager.registerDriver(INSTANCE, INSTANCE.guard::close);
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** This instance's guard; {@code null} for an instance the ServiceLoader made, which uses the registered one's. */
    private final Guard guard;

    private GuardDriver(GuardCore core) {
        this.guard = new Guard(core);
    }

    /** For {@code java.util.ServiceLoader} (DriverManager): shares the registered instance's guard. */
    public GuardDriver() {
        this.guard = null;
    }

    /** The registered instance. */
    public static GuardDriver instance() {
        return INSTANCE;
    }

    /** The driver's guard. */
    Guard guard() {
        return guard != null ? guard : INSTANCE.guard;
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
        return guard().core().connect(url, info);
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
                Driver real = GuardCore.findDriver(parsed.realUrl());
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
