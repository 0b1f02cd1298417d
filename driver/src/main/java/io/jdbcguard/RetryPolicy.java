package io.jdbcguard;

import io.jdbcguard.dialect.Dialect;
import io.jdbcguard.dialect.Dialects;

import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * When and how {@link Retry} runs a unit of work again: immutable and thread-safe; build one with
 * {@link #builder()} and share it.
 *
 * <p>By default a failure is retried when, on the exception or any of its causes, it is
 * <ul>
 * <li>a duplicate key: MySQL/MariaDB error 1062, PostgreSQL SQLState {@code 23505} (on the retry the work's own
 *     check sees the row that won and takes its "found" branch);</li>
 * <li>a deadlock or serialization failure, whose transaction the server rolled back: MySQL/MariaDB 1213 (also
 *     Galera's certification failure, 1213 with SQLState {@code 40001}, often at COMMIT), a snapshot conflict 1020
 *     ({@code innodb_snapshot_isolation}), MySQL Group Replication's 3101 (rolled back at COMMIT), TiDB's write
 *     conflicts 9007, 8002 and 8005, and SQLStates {@code 40001} (serialization failure) and {@code 40P01}
 *     (PostgreSQL's deadlock), or any {@link SQLTransactionRollbackException}.</li>
 * </ul>
 * A lock-wait timeout (1205) only with {@link Builder#retryLockWaitTimeouts(boolean)}: the server rolls back
 * only the statement that waited (unless {@code innodb_rollback_on_timeout}), and a retry waits again as long.
 * A COMMIT that failed is retried only when the failure says the server rolled the transaction back (a
 * deadlock or serialization code above, not a duplicate key); any other COMMIT failure leaves the outcome
 * unknown and is never retried ({@link Retry.CommitFailedException}).
 */
public final class RetryPolicy {

    /** Attempts in all, the first included. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(10);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(1);
    /** Each delay is drawn uniformly from {@code delay × (1 ± jitter)}. */
    public static final double DEFAULT_JITTER = 0.5;

    private static final RetryPolicy DEFAULTS = builder().build();

    private final int maxAttempts;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final double jitter;
    private final Predicate<SQLException> retryOn;
    private final boolean lockWaitTimeouts;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialDelay = b.initialDelay;
        this.maxDelay = b.maxDelay;
        this.jitter = b.jitter;
        this.retryOn = b.retryOn;
        this.lockWaitTimeouts = b.lockWaitTimeouts;
    }

    /** The defaults: {@value #DEFAULT_MAX_ATTEMPTS} attempts, 10 ms doubling up to 1 s, jitter ±50 %. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** Whether this failure is worth another attempt in a fresh transaction. */
    public boolean isRetryable(SQLException e) {
        return retryOn.test(e) || lockWaitTimeouts && any(e, RetryPolicy::lockWaitTimeout);
    }

    /** The default classification (see the class comment), without lock-wait timeouts. */
    public static boolean isTransient(SQLException e) {
        return any(e, s -> {
            if (lockWaitTimeout(s)) {
                return false; // Connector/J throws it as a SQLTransactionRollbackException: opt-in all the same
            }
            for (Dialect d : Dialects.all()) {
                if (d.duplicateKey(s.getErrorCode(), s.getSQLState())) {
                    return true;
                }
            }
            return rolledBack(s);
        });
    }

    /**
     * Whether a failed COMMIT says that the server rolled the transaction back (a deadlock, a certification or
     * serialization failure), so that running the work again cannot apply it twice. Any other COMMIT failure
     * (a lost connection above all) leaves the outcome unknown.
     */
    static boolean rolledBackAtCommit(SQLException e) {
        return any(e, s -> !lockWaitTimeout(s) && rolledBack(s));
    }

    /** A lock-wait timeout (MySQL/MariaDB 1205, PostgreSQL's lock_not_available), in any database's words. */
    private static boolean lockWaitTimeout(SQLException s) {
        for (Dialect d : Dialects.all()) {
            if (d.lockWaitTimeout(s.getErrorCode(), s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the server rolled the failure's transaction back, in any database's words. */
    private static boolean rolledBack(SQLException s) {
        for (Dialect d : Dialects.all()) {
            if (d.rolledBackWholeTransaction(s.getErrorCode(), s.getSQLState())) {
                return true;
            }
        }
        return s instanceof SQLTransactionRollbackException;
    }

    private static boolean any(SQLException e, Predicate<SQLException> test) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof SQLException && test.test((SQLException) t)) {
                return true;
            }
        }
        return false;
    }

    /** The pause before attempt {@code attempt + 1} (attempt counts from 1). */
    Duration delayAfter(int attempt) {
        double base = initialDelay.toNanos() * Math.pow(2, Math.min(attempt - 1, 30));
        base = Math.min(base, maxDelay.toNanos());
        double factor = 1 - jitter + ThreadLocalRandom.current().nextDouble() * 2 * jitter;
        return Duration.ofNanos((long) Math.max(0, base * factor));
    }

    /** Builds a {@link RetryPolicy}; arguments are checked as they are given. */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialDelay = DEFAULT_INITIAL_DELAY;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private double jitter = DEFAULT_JITTER;
        private Predicate<SQLException> retryOn = RetryPolicy::isTransient;
        private boolean lockWaitTimeouts;

        private Builder() {
        }

        /**
         * Attempts in all, the first included.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Exponential backoff: the first pause, doubled after each failure up to {@code max}.
         *
         * @throws IllegalArgumentException if negative, or {@code max < initial}
         */
        public Builder backoff(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("need 0 <= initial <= max, got " + initial + " and " + max);
            }
            this.initialDelay = initial;
            this.maxDelay = max;
            return this;
        }

        /**
         * Randomises each pause to {@code pause × (1 ± jitter)}, so colliding callers drift apart.
         *
         * @throws IllegalArgumentException unless 0 <= jitter <= 1
         */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("jitter must be within [0, 1], was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * Also retries a lock-wait timeout (MySQL/MariaDB 1205); off by default, since each attempt may wait
         * {@code innodb_lock_wait_timeout} again.
         */
        public Builder retryLockWaitTimeouts(boolean retry) {
            this.lockWaitTimeouts = retry;
            return this;
        }

        /** Replaces the default classification of retryable failures (lock-wait timeouts stay as set). */
        public Builder retryOn(Predicate<SQLException> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
            return this;
        }

        public RetryPolicy build() {
            return new RetryPolicy(this);
        }
    }
}
