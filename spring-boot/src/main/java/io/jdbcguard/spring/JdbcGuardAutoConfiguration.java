package io.jdbcguard.spring;

import io.jdbcguard.Finding;
import io.jdbcguard.Guard;
import io.jdbcguard.GuardStats;
import io.jdbcguard.report.FindingReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Adding the starter guards every {@code DataSource} bean; {@code jdbc-guard.enabled=false} turns it
 * off. With Micrometer: {@code jdbcguard.findings{rule,level}}, {@code jdbcguard.statements},
 * {@code jdbcguard.internal.errors}; with the Actuator: the {@code jdbcguard} endpoint.
 */
@AutoConfiguration
@ConditionalOnClass(DataSource.class)
@ConditionalOnProperty(prefix = "jdbc-guard", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(JdbcGuardProperties.class)
public class JdbcGuardAutoConfiguration {

    @Bean
    static GuardingPostProcessor jdbcGuardPostProcessor(ObjectProvider<JdbcGuardProperties> properties,
                                                        BeanFactory beanFactory) {
        return new GuardingPostProcessor(() -> properties.getObject().settings(
                AutoConfigurationPackages.has(beanFactory) ? AutoConfigurationPackages.get(beanFactory) : List.of()));
    }

    /** What the Actuator endpoint shows: the findings of this application, by place. */
    @Bean
    FindingsByPlace jdbcGuardFindings() {
        return new FindingsByPlace();
    }

    /** The findings report's rows, kept while the application runs. */
    public static final class FindingsByPlace implements AutoCloseable {
        final FindingReport report = new FindingReport(Finding::thread);
        private final io.jdbcguard.JdbcGuard.Registration registration = Guard.global().addFindingListener(report);

        @Override
        public void close() {
            registration.close();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {
        @Bean
        MetersBinding jdbcGuardMeters(ObjectProvider<MeterRegistry> registries) {
            return new MetersBinding(registries);
        }
    }

    /** Publishes the guard's counts as meters and counts findings as they occur. */
    static final class MetersBinding implements AutoCloseable {
        private io.jdbcguard.JdbcGuard.Registration registration = () -> { };

        MetersBinding(ObjectProvider<MeterRegistry> registries) {
            MeterRegistry registry = registries.getIfAvailable();
            if (registry == null) {
                return; // Micrometer on the class path, but no registry in the application
            }
            FunctionCounter.builder("jdbcguard.statements", Guard.global(), Guard::statements)
                    .description("statements that passed through guarded connections").register(registry);
            FunctionCounter.builder("jdbcguard.internal.errors", Guard.global(), g -> GuardStats.internalErrors())
                    .description("internal errors the guard contained").register(registry);
            // Every rule and level from start-up, at 0: dashboards and alerts have a series before any finding.
            // Each occurrence counts on its meter, found without building a meter id.
            java.util.Map<String, Counter[]> counters = new java.util.HashMap<>();
            for (io.jdbcguard.config.RuleId rule : io.jdbcguard.config.RuleId.values()) {
                Counter[] byLevel = new Counter[Finding.Level.values().length];
                for (Finding.Level level : Finding.Level.values()) {
                    byLevel[level.ordinal()] = findings(registry, rule.id(), level);
                }
                counters.put(rule.id(), byLevel);
            }
            registration = Guard.global().addFindingListener(f -> {
                Counter[] byLevel = counters.get(f.rule());
                (byLevel != null ? byLevel[f.level().ordinal()] : findings(registry, f.rule(), f.level())).increment();
            });
        }

        private static Counter findings(MeterRegistry registry, String rule, Finding.Level level) {
            return Counter.builder("jdbcguard.findings").description("findings of the guard's rules, by rule and level")
                    .tag("rule", rule).tag("level", level.name()).register(registry);
        }

        @Override
        public void close() {
            registration.close();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class Actuator {
        @Bean
        JdbcGuardEndpoint jdbcGuardEndpoint(FindingsByPlace findings) {
            return new JdbcGuardEndpoint(findings);
        }
    }
}
