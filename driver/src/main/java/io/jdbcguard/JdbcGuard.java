package io.jdbcguard;

/** The driver's guard ({@link Guard#global()}), for applications and add-ons: findings as they occur. */
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
        return Guard.global().addFindingListener(listener);
    }
}
