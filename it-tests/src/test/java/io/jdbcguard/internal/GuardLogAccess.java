package io.jdbcguard.internal;

/** Test access to {@link GuardLog}'s package-private formatting. */
public final class GuardLogAccess {

    private GuardLogAccess() {
    }

    public static String withPairs(String message, Object... keyValues) {
        return GuardLog.withPairs(message, keyValues);
    }
}
