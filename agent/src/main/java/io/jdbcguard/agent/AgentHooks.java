package io.jdbcguard.agent;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.Connection;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;

/**
 * What the advised code calls: finds the guard of the driver's class loader (defined there from the
 * agent jar, so it sees the application's SLF4J), and hands back its connection. Fail-open: any problem
 * returns the connection as the driver made it, and is said once on standard error. A connection is
 * never wrapped twice, and never the guard's own (its index and server reads).
 */
public final class AgentHooks {

    private static volatile Map<String, String> settings = Map.of();
    /** Per application class loader: the way into the guard's {@code GuardCore} there. */
    private static final Map<ClassLoader, MethodHandle> CORES = Collections.synchronizedMap(new WeakHashMap<>());
    private static volatile boolean reported;

    private AgentHooks() {
    }

    static void settings(Map<String, String> s) {
        settings = Map.copyOf(s);
    }

    /** Called before every return of a driver's {@code connect(String, Properties)} ({@link ConnectReturns}). */
    public static Connection driverConnected(Connection c, Object driver, String url, Properties info) {
        return guard(driver, c, url, info);
    }

    public static Connection dataSourceConnected(Object source, Connection c) {
        return guard(source, c, null, null);
    }

    /** Hands the connection to the one way into the guard of the source's class loader; fail-open. */
    private static Connection guard(Object source, Connection c, String url, Properties info) {
        if (skip(c)) {
            return c;
        }
        try {
            return (Connection) entry(source.getClass().getClassLoader()).invoke(c, source, url, info, settings);
        } catch (Throwable t) {
            report(t);
            return c;
        }
    }
    /**
     * Not when there is nothing, when it is the guard's already, or when the guard itself connects: a
     * {@code jdbc:guard:} URL ({@code GuardCore.connect} wraps what it opens, with the URL's settings) or the
     * guard's own connections ({@code DataSourceInfo.openOwn}). Anything else is guarded here, even with a
     * guard's data source on the stack (the starter's, around a pool opening its first connection): that
     * data source sees the connection guarded, and leaves it as it is.
     */
    private static boolean skip(Connection c) {
        if (c == null || c.getClass().getName().startsWith("io.jdbcguard.")) {
            return true;
        }
        return StackWalker.getInstance().walk(s -> s.anyMatch(f -> GUARD_CONNECTS.contains(f.getClassName() + '#' + f.getMethodName())));
    }

    /** The guard's own ways to open a connection, by class and method name (whichever loader defined them). */
    private static final java.util.Set<String> GUARD_CONNECTS = java.util.Set.of("io.jdbcguard.core.GuardCore#connect",
            "io.jdbcguard.fact.ConnectionInfo$DataSourceInfo#openOwn");

    /**
     * The guard of an application class loader: the application's own where it has the guard's jar (the
     * starter, a {@code jdbc:guard:} URL), so that one guard sees every connection and the application's
     * listeners, meters and endpoint see its findings; else a copy defined from the agent jar.
     */
    private static MethodHandle entry(ClassLoader appLoader) throws ReflectiveOperationException {
        ClassLoader key = appLoader != null ? appLoader : ClassLoader.getSystemClassLoader();
        synchronized (CORES) {
            MethodHandle entry = CORES.get(key);
            if (entry == null) {
                Class<?> guard = applicationsGuard(key);
                if (guard == null) {
                    guard = Class.forName("io.jdbcguard.Guard", true, new GuardClassLoader(key));
                }
                Object global = guard.getMethod("global").invoke(null);
                Object core = guard.getMethod("core").invoke(global);
                entry = MethodHandles.publicLookup().findVirtual(core.getClass(), "guard", ENTRY).bindTo(core);
                CORES.put(key, entry);
            }
            return entry;
        }
    }

    /** {@code GuardCore.guard(Connection, Object, String, Properties, Map)}: the one way into the guard. */
    private static final MethodType ENTRY = MethodType.methodType(Connection.class, Connection.class, Object.class,
            String.class, Properties.class, Map.class);

    /** The application's own {@code io.jdbcguard.Guard}, if its loader has one the agent can call; else null. */
    private static Class<?> applicationsGuard(ClassLoader app) {
        try {
            Class<?> guard = Class.forName("io.jdbcguard.Guard", false, app);
            Class<?> core = Class.forName("io.jdbcguard.core.GuardCore", false, app);
            core.getMethod("guard", ENTRY.parameterArray());
            return guard;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null; // not there, or a version without these entries: the agent's own copy
        }
    }

    private static void report(Throwable t) {
        if (!reported) {
            reported = true;
            System.err.println("jdbc-guard agent: a connection stays unguarded: " + t);
        }
    }
}
