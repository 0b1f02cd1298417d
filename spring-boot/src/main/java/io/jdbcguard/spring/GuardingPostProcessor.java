package io.jdbcguard.spring;

import io.jdbcguard.Guard;
import io.jdbcguard.GuardDataSource;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Wraps every {@code DataSource} bean in a {@link GuardDataSource}, once: a bean that already is one (or
 * wraps one) is left as it is, and a connection that is already the guard's is never wrapped again (a
 * routing data source over guarded targets). The wrapper unwraps to the pool, so Boot's
 * {@code DataSourceUnwrapper} and the pool's metrics still reach it.
 */
final class GuardingPostProcessor implements BeanPostProcessor {

    private final Supplier<Map<String, String>> settings;

    GuardingPostProcessor(Supplier<Map<String, String>> settings) {
        this.settings = settings;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof DataSource) || bean instanceof GuardDataSource) {
            return bean;
        }
        try {
            if (((DataSource) bean).isWrapperFor(GuardDataSource.class)) {
                return bean;
            }
        } catch (Exception ignored) {
            // A data source that cannot say is wrapped.
        }
        GuardDataSource guarded = new GuardDataSource((DataSource) bean, Guard.global());
        Properties p = new Properties();
        p.putAll(settings.get());
        guarded.setGuardProperties(p);
        return guarded;
    }

}
