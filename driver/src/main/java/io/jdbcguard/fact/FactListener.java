package io.jdbcguard.fact;

import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import java.sql.SQLException;
import java.util.Set;

/**
 * Reads facts. Listeners never see JDBC wrappers, so the interception technique can change without
 * touching them. A listener's exception never reaches the application: it is logged once and counted.
 *
 * <p>Listeners run on the application's thread, inside its JDBC call: they must be quick and must not
 * block or call back into JDBC on the application's connection.
 */
public interface FactListener {

    /**
     * The statement kinds whose executions this listener reads; a statement of no subscribed kind costs
     * nothing. None by default: a listener that only decides before statements run reads no execution.
     */
    default Set<StatementKind> kinds() {
        return Set.of();
    }

    /**
     * Whether this listener reads executions only inside transactions (the lock rules, the observed races): a
     * statement under autocommit that no other listener reads is then not recorded at all.
     */
    default boolean onlyInTransactions() {
        return false;
    }

    /**
     * Whether this listener has anything to do on a connection of this configuration (false when its rules
     * are disabled there): a statement no active listener reads is not recorded at all. Asked once per
     * connection and listener set. Every connection by default.
     */
    default boolean activeFor(io.jdbcguard.config.GuardConfig config) {
        return true;
    }

    /** One execution (or one batch entry) completed. */
    default void onExecution(ExecutionFact fact) {
    }

    /** Kinds whose failed executions this listener reads even though it does not read their successes. */
    default Set<StatementKind> failureKinds() {
        return Set.of();
    }

    /**
     * The kinds {@link #wantsBefore} may answer yes for: the bus asks only for these (every kind by
     * default), so a statement of another kind costs this listener nothing before it runs.
     */
    default Set<StatementKind> beforeKinds() {
        return java.util.EnumSet.allOf(StatementKind.class);
    }

    /**
     * Whether {@link #beforeExecution} wants to see this statement before it runs (cheap: called per
     * statement). A prepared statement records its bound values when a listener subscribes its kind, or
     * wanted it before when the listener set last changed; a listener whose wish depends on what the thread
     * did since (a stale snapshot) and that needs the values must subscribe the kind as well.
     */
    default boolean wantsBefore(SqlShape shape) {
        return false;
    }

    /**
     * A statement is about to run (its outcome is {@link Outcome#PENDING}). Returns the decision for this
     * one execution: the SQL to run instead of the planned one (only for repairs a setting documents: the
     * fresh read), or {@code null} to run it as written; the first listener to answer wins, and the
     * answer is applied to that execution only, never kept for a later one. The one exception that may
     * leave a listener and reach the application is {@link io.jdbcguard.UnsafePatternException}, in strict
     * mode, to refuse it; any other is contained.
     */
    /**
     * The decision to run the statement as written inside a savepoint of the guard's, released when it succeeds
     * and rolled back to when it fails with a duplicate key ({@code duplicate-aborts-transaction}, PostgreSQL).
     * Known by identity: no text the application runs is this instance.
     */
    @SuppressWarnings("StringOperationCanBeSimplified")
    String IN_SAVEPOINT = new String("jdbc-guard: in a savepoint");

    default String beforeExecution(ExecutionFact planned) throws SQLException {
        return null;
    }

    /**
     * The application is about to choose an isolation level through JDBC
     * ({@code Connection.setTransactionIsolation}). May throw {@link io.jdbcguard.UnsafePatternException}
     * in strict mode to refuse it before it takes effect.
     */
    default void beforeIsolationChange(ConnectionInfo connection, Isolation level) throws SQLException {
    }

    /** A connection was opened, before the application gets it. */
    default void onConnectionOpened(ConnectionInfo connection) {
    }

    /** A transaction ended. */
    default void onTransactionEnd(TransactionEvent event) {
    }
}
