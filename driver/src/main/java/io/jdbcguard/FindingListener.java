package io.jdbcguard;

/**
 * Receives every occurrence of every finding of the JVM's guard, on the thread that settled it (the
 * application's, or one of the guard's when it waited for a table's indexes). Register one with
 * {@link JdbcGuard#addFindingListener}. It must be quick and must not block; whatever it throws is
 * contained (logged once, counted) and never reaches the application. The log line is one such listener.
 */
@FunctionalInterface
public interface FindingListener {

    /** One occurrence; {@link Finding#count()} is 1 for a place's first. */
    void onFinding(Finding finding);
}
