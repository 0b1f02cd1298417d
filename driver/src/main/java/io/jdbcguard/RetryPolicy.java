package io.jdbcguard;

import io.jdbcguard.internal.Vendor;
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
 * <p>By default a failure is retried when it is a duplicate key (MySQL/MariaDB error 1062: on the retry the
 * work's own check sees the row that won and takes its "found" branch), a deadlock (1213), a lock-wait
 * timeout (1205), a snapshot conflict (1020, {@code innodb_snapshot_isolation}) or a serialization failure
 * (SQLState {@code 40001}), on the exception or any of its causes.
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

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialDelay = b.initialDelay;
        this.maxDelay = b.maxDelay;
        this.jitter = b.jitter;
        this.retryOn = b.retryOn;
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
        return retryOn.test(e);
    }

    /** The default classification (see the class comment). */
    public static boolean isTransient(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) {
                SQLException s = (SQLException) t;
                int code = s.getErrorCode();
                if (code == Vendor.ER_DUP_ENTRY || code == Vendor.ER_LOCK_DEADLOCK || code == Vendor.ER_LOCK_WAIT_TIMEOUT
                        || code == Vendor.ER_CHECKREAD || Vendor.SQLSTATE_SERIALIZATION.equals(s.getSQLState())
                        || s instanceof SQLTransactionRollbackException) {
                    return true;
                }
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

        /** Replaces the default classification of retryable failures. */
        public Builder retryOn(Predicate<SQLException> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
            return this;
        }

        public RetryPolicy build() {
            return new RetryPolicy(this);
        }
    }
}
