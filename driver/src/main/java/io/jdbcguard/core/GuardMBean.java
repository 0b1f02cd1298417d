package io.jdbcguard.core;

import io.jdbcguard.internal.InternalErrors;
import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.ObjectName;

/** A guard's counts over JMX: {@code io.jdbcguard:type=GuardStats} for the driver's guard, {@code ,name=…} for others. */
final class GuardMBean {

    /** Run-time counts of a guard. */
    public interface GuardStatsMXBean {
        long getStatements();

        long getInternalErrors();

        long getIndexLookups();

        long getStackWalks();

        Map<String, Long> getFindingsByRule();

        Map<String, Long> getFindingsByPlace();
    }

    private final ObjectName name;
    private volatile boolean registered;

    GuardMBean(String name) {
        ObjectName n = null;
        try {
            n = new ObjectName(name);
        } catch (Exception e) {
            InternalErrors.record("naming the JMX bean " + name, e);
        }
        this.name = n;
    }

    /** Registers (creating the platform MBean server can take a good part of a second: call it in the background). */
    void register(GuardCore core) {
        try {
            if (name != null && !ManagementFactory.getPlatformMBeanServer().isRegistered(name)) {
                ManagementFactory.getPlatformMBeanServer().registerMBean(new GuardStatsMXBean() {
                    @Override
                    public long getStatements() {
                        return core.counters().statements.sum();
                    }

                    @Override
                    public long getInternalErrors() {
                        return InternalErrors.count();
                    }

                    @Override
                    public long getIndexLookups() {
                        return core.counters().indexLookups.sum();
                    }

                    @Override
                    public long getStackWalks() {
                        return core.counters().stackWalks.sum();
                    }

                    @Override
                    public Map<String, Long> getFindingsByRule() {
                        return core.reporter().countsByRule();
                    }

                    @Override
                    public Map<String, Long> getFindingsByPlace() {
                        return core.reporter().countsByPlace();
                    }
                }, name);
                registered = true;
            }
        } catch (Throwable t) {
            InternalErrors.record("registering the JMX bean " + name, t);
        }
    }

    void unregister() {
        try {
            if (registered && ManagementFactory.getPlatformMBeanServer().isRegistered(name)) {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            }
        } catch (Throwable t) {
            InternalErrors.record("unregistering the JMX bean " + name, t);
        }
        registered = false;
    }

    boolean registered() {
        return name != null && ManagementFactory.getPlatformMBeanServer().isRegistered(name);
    }
}
