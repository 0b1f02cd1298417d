package io.jdbcguard.config;

import java.util.Locale;

/** The rules the guard knows, by the ids users write in {@code guard.disable} and see in log lines. */
public enum RuleId {
    CHECK_THEN_INSERT,
    LOST_UPDATE,
    LOCK_WITHOUT_TRANSACTION,
    STALE_READ_AFTER_DUPLICATE,
    RISKY_ISOLATION,
    GAP_LOCK_INSERT,
    LOCK_WITHOUT_INDEX,
    LOCK_ORDER,
    DEADLOCK,
    OBSERVED_RACE,
    DUPLICATE_ABORTS_TRANSACTION;

    private final String id = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The id as written in settings, log messages and logger names, e.g. {@code check-then-insert}. */
    public String id() {
        return id;
    }

    /** The rule with this id, or {@code null}. */
    public static RuleId byId(String id) {
        for (RuleId r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return id;
    }
}
