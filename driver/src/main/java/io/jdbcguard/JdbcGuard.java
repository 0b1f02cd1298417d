package io.jdbcguard;

import io.jdbcguard.rules.Reporter;

/** The JVM's guard, for applications and add-ons: findings as they occur. */
public final class JdbcGuard {

    private JdbcGuard() {
    }

    /** Removes what it was returned for. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Adds a listener of every finding occurrence (see {@link FindingListener}); close the returned
     * registration to remove it.
     */
    public static Registration addFindingListener(FindingListener listener) {
        Reporter.addListener(listener);
        return () -> Reporter.removeListener(listener);
    }
}
