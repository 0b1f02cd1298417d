package io.jdbcguard.fact;

/**
 * A transaction of a guarded connection ended.
 *
 * @param connection    where
 * @param transactionId the id its statements' facts carried
 * @param type          how it ended
 * @param nanos         {@link System#nanoTime()} at the end
 * @param thread        the thread that ended it
 */
public record TransactionEvent(ConnectionInfo connection, long transactionId, Type type, long nanos, Thread thread) {

    /** How a transaction ended. */
    public enum Type {
        COMMIT,
        ROLLBACK,
        /** DDL, {@code START TRANSACTION} inside a transaction, or {@code setAutoCommit(true)}. */
        IMPLICIT_COMMIT,
        /** The connection was closed with the transaction open (the server rolls it back). */
        CLOSED
    }
}
