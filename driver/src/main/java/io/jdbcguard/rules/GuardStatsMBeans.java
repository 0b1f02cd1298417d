package io.jdbcguard.rules;

import io.jdbcguard.GuardStats;
import io.jdbcguard.internal.InternalErrors;
import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.ObjectName;

/** Publishes the guard's counts over JMX as {@code io.jdbcguard:type=GuardStats}. */
public final class GuardStatsMBeans {

    static final String NAME = "io.jdbcguard:type=GuardStats";

    private GuardStatsMBeans() {
    }

    /** Registers in the background: creating the platform MBean server can take a good part of a second. */
    static void register() {
        Thread t = new Thread(GuardStatsMBeans::registerNow, "jdbc-guard-jmx");
        t.setDaemon(true);
        t.start();
    }

    static void registerNow() {
        try {
            ObjectName name = new ObjectName(NAME);
            if (!ManagementFactory.getPlatformMBeanServer().isRegistered(name)) {
                ManagementFactory.getPlatformMBeanServer().registerMBean(new Bean(), name);
            }
        } catch (Throwable t) {
            InternalErrors.record("registering the JMX bean " + NAME, t);
        }
    }

    /** Run-time counts of the guard. */
    public interface GuardStatsMXBean {
        long getStatements();

        long getInternalErrors();

        long getIndexLookups();

        Map<String, Long> getFindingsByRule();

        Map<String, Long> getFindingsByPlace();
    }

    /** The registered bean. */
    public static final class Bean implements GuardStatsMXBean {
        @Override
        public long getStatements() {
            return GuardStats.statements();
        }

        @Override
        public long getInternalErrors() {
            return GuardStats.internalErrors();
        }

        @Override
        public long getIndexLookups() {
            return GuardStats.indexLookups();
        }

        @Override
        public Map<String, Long> getFindingsByRule() {
            return GuardStats.findingsByRule();
        }

        @Override
        public Map<String, Long> getFindingsByPlace() {
            return GuardStats.findingsByPlace();
        }
    }
}
