package io.jdbcguard.agent;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isSubTypeOf;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

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
 * every JDBC connection of the JVM with no other change. It advises {@code Driver.connect} of every driver
 * but the guard's own, so pools sit above the guard, and the vendor data sources that open physical
 * connections without a {@code Driver} ({@code MysqlDataSource}, {@code MariaDbDataSource}) and HikariCP's
 * {@code DriverDataSource} (where a driver's {@code connect} is covariant, as MariaDB's is). If
 * instrumentation fails, the application runs unguarded and the agent says so once on standard error.
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
        try {
            AgentHooks.settings(settings(args));
            new AgentBuilder.Default()
                    .disableClassFormatChanges()
                    .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                    .ignore(nameStartsWith("io.jdbcguard.").or(nameStartsWith("net.bytebuddy."))
                            .or(nameStartsWith("java.")).or(nameStartsWith("jdk.")).or(nameStartsWith("sun.")))
                    .type(isSubTypeOf(Driver.class).and(not(isInterface())).and(not(isAbstract())))
                    .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(DriverAdvice.class)
                            .on(named("connect").and(takesArguments(String.class, Properties.class))
                                    .and(returns(Connection.class)))))
                    // Vendor data sources, and HikariCP's own DriverDataSource: a driver whose connect returns its
                    // own Connection type (MariaDB's) is reached through a bridge method the advice does not take.
                    .type(named("com.mysql.cj.jdbc.MysqlDataSource").or(named("org.mariadb.jdbc.MariaDbDataSource"))
                            .or(named("org.mariadb.jdbc.MariaDbPoolDataSource"))
                            .or(named("com.zaxxer.hikari.util.DriverDataSource")))
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

    /** Inlined into each driver's {@code connect}: the connection it returns is the guard's. */
    static final class DriverAdvice {
        @Advice.OnMethodExit
        static void exit(@Advice.This Object driver, @Advice.Argument(0) String url, @Advice.Argument(1) Properties info,
                         @Advice.Return(readOnly = false) Connection connection) {
            connection = AgentHooks.driverConnected(driver, connection, url, info);
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
