package io.jdbcguard.config;

/** Values of {@code guard.mode}. */
public enum Mode {
    /** Report findings in the log; never change what the application's statements do. */
    WARN,
    /** Refuse the statement that completes an unsafe pattern; meant for test suites. */
    STRICT,
    /** Pure pass-through: the guard hands out the real driver's connection untouched. */
    OFF
}
