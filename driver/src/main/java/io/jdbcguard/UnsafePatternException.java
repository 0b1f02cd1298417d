package io.jdbcguard;

import java.sql.SQLException;

/**
 * Thrown in {@code guard.mode=strict} instead of running a statement that completes an unsafe pattern.
 * The statement was not sent to the server: the transaction is as it was before, open and usable; the
 * application decides whether to roll back. The message is the finding.
 */
public class UnsafePatternException extends SQLException {

    private static final long serialVersionUID = 1L;

    /** The SQLState of every UnsafePatternException. */
    public static final String SQLSTATE = "JG000";

    private final String ruleId;

    public UnsafePatternException(String ruleId, String message) {
        super(message, SQLSTATE);
        this.ruleId = ruleId;
    }

    /** The rule whose pattern the refused statement would have completed, e.g. {@code check-then-insert}. */
    public String ruleId() {
        return ruleId;
    }
}
