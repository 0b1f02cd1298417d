package io.jdbcguard.fact;

import io.jdbcguard.sql.StatementKind;
import java.util.Set;

/**
 * Reads facts. Listeners never see JDBC wrappers, so the interception technique can change without
 * touching them. A listener's exception never reaches the application: it is logged once and counted.
 *
 * <p>Listeners run on the application's thread, inside its JDBC call: they must be quick and must not
 * block or call back into JDBC on the application's connection.
 */
public interface FactListener {

    /** The statement kinds whose executions this listener reads; a statement of no subscribed kind costs nothing. */
    Set<StatementKind> kinds();

    /** One execution (or one batch entry) completed. */
    void onExecution(ExecutionFact fact);

    /** A transaction ended. */
    default void onTransactionEnd(TransactionEvent event) {
    }
}
