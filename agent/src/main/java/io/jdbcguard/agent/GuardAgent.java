package io.jdbcguard.agent;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isSubTypeOf;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;

import java.lang.instrument.Instrumentation;
import java.sql.Connection;
import java.sql.Driver;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/**
 * {@code java -javaagent:jdbc-guard-agent.jar[=mode=strict,app-packages=com.acme] -jar app.jar}: guards
 * every JDBC connection of the JVM with no other change. It hooks {@code Driver.connect} of every driver but
 * the guard's own, whatever calls it ({@code DriverManager}, any pool: pools sit above the guard), the bridge
 * of a covariant {@code connect} included ({@link ConnectReturns}), and the vendor data sources that open
 * physical connections without a {@code Driver} ({@code MysqlDataSource}, {@code MariaDbDataSource}, pgJDBC's
 * {@code PGSimpleDataSource} through its {@code BaseDataSource}). It says
 * on standard error when it starts and which classes it instrumented; if instrumentation fails, the
 * application runs unguarded and the agent says so.
 */
public final class GuardAgent {

    private GuardAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        install(args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        install(args, inst);
    }

    private static void install(String args, Instrumentation inst) {
        Package p = GuardAgent.class.getPackage();
        System.err.println("jdbc-guard agent " + (p == null || p.getImplementationVersion() == null ? "(dev)"
                : p.getImplementationVersion()) + ": guarding every JDBC connection of this JVM"
                + (args == null || args.isBlank() ? "" : " with " + args));
        try {
            AgentHooks.settings(settings(args));
            new AgentBuilder.Default()
                    .disableClassFormatChanges()
                    .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                    .ignore(nameStartsWith("io.jdbcguard.").or(nameStartsWith("net.bytebuddy."))
                            .or(nameStartsWith("java.")).or(nameStartsWith("jdk.")).or(nameStartsWith("sun.")))
                    .with(new Reporting())
                    .type(isSubTypeOf(Driver.class).and(not(isInterface())).and(not(isAbstract())))
                    .transform((builder, type, loader, module, domain) -> builder.visit(new ConnectReturns()))
                    // Vendor data sources that open physical connections without a Driver's connect(String, Properties).
                    .type(named("com.mysql.cj.jdbc.MysqlDataSource").or(named("org.mariadb.jdbc.MariaDbDataSource"))
                            .or(named("org.mariadb.jdbc.MariaDbPoolDataSource"))
                            .or(named("org.postgresql.ds.common.BaseDataSource")))
                    .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(DataSourceAdvice.class)
                            .on(named("getConnection").and(returns(Connection.class)))))
                    .installOn(inst);
        } catch (Throwable t) {
            System.err.println("jdbc-guard agent: instrumentation failed, the application runs unguarded: " + t);
        }
    }

    /** {@code mode=strict,app-packages=com.acme;com.acme2} → {@code guard.mode=strict, guard.app-packages=…}. */
    static Map<String, String> settings(String args) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args == null || args.isBlank()) {
            return out;
        }
        for (String part : args.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = part.substring(0, eq).trim();
            out.put(key.startsWith("guard.") ? key : "guard." + key, part.substring(eq + 1).trim().replace(';', ','));
        }
        return out;
    }

    /**
     * Says on standard error (the agent runs before any logger exists) which drivers and data sources it
     * instrumented, and any class it could not.
     */
    static final class Reporting extends AgentBuilder.Listener.Adapter {
        @Override
        public void onTransformation(net.bytebuddy.description.type.TypeDescription type, ClassLoader loader,
                                     net.bytebuddy.utility.JavaModule module, boolean loaded,
                                     net.bytebuddy.dynamic.DynamicType dynamicType) {
            System.err.println("jdbc-guard agent: guarding the connections of " + type.getName());
        }

        @Override
        public void onError(String typeName, ClassLoader loader, net.bytebuddy.utility.JavaModule module, boolean loaded,
                            Throwable throwable) {
            System.err.println("jdbc-guard agent: could not instrument " + typeName + "; its connections stay unguarded: "
                    + throwable);
        }
    }

    /** Inlined into a vendor data source's {@code getConnection}. */
    static final class DataSourceAdvice {
        @Advice.OnMethodExit
        static void exit(@Advice.This Object source, @Advice.Return(readOnly = false) Connection connection) {
            connection = AgentHooks.dataSourceConnected(source, connection);
        }
    }
}
