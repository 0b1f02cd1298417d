package io.jdbcguard.dialect;

import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SetInfo;
import io.jdbcguard.sql.Syntax;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Predicate;

/**
 * Everything the guard knows of one database that another database does differently: how its texts are
 * lexed, which errors mean what, how its index catalogue is read, its isolation defaults and what they
 * mean for the rules, what is read of the server, the repair the guard makes there, and the words of the
 * fixes. One instance per database (MySQL and MariaDB share one class), chosen per data source when it
 * first connects ({@link Dialects#of}). Rules and wrappers ask the dialect; none tests a vendor name.
 *
 * <p>A third database needs a subclass answering these methods, and a line in {@link Dialects#of}.
 */
public abstract class Dialect {

    /** The finding's {@code database}: {@code mysql}, {@code mariadb} or {@code postgresql}. */
    public abstract String database();

    // ---- lexing ---------------------------------------------------------------------------------

    /** The syntax a new session of this database reads texts in (before any {@code SET} of the session's). */
    public abstract Syntax syntax();

    /**
     * The syntax of a session whose server-wide modes are {@code serverModes} (read on the guard's own
     * connection; {@code null} when not known) and whose driver set {@code sessionVariables} at connect.
     */
    public Syntax sessionSyntax(String serverModes, String sessionVariables) {
        return syntax();
    }

    /** The syntax after a session's {@code SET} ran: unchanged unless the statement changes how texts are read. */
    public Syntax syntaxAfter(SetInfo set, Syntax current) {
        return current;
    }

    // ---- isolation and locks --------------------------------------------------------------------

    /** The isolation a server of this database runs transactions at unless told otherwise. */
    public abstract Isolation defaultIsolation();

    /** Whether a locking read that found no row locks the gap at this level (so a check taken that way serializes). */
    public abstract boolean lockingReadLocksGap(Isolation isolation);

    /** Whether a locking statement locks every row it scans, so a missing index widens its locks (InnoDB). */
    public abstract boolean locksScannedRows();

    /**
     * Whether two transactions at this level that read a row and write it back both commit, one write lost
     * (PostgreSQL at REPEATABLE READ and above fails the second writer with 40001 instead).
     */
    public abstract boolean losesUpdatesAt(Isolation isolation);

    /**
     * Whether, after a duplicate key at this level, the transaction's plain reads answer from a snapshot taken
     * before the winner committed ({@code stale-read-after-duplicate}: InnoDB at REPEATABLE READ).
     */
    public abstract boolean staleSnapshotAfterDuplicate(Isolation isolation);

    /** Whether a duplicate key inside a transaction aborts it ({@code duplicate-aborts-transaction}: PostgreSQL). */
    public abstract boolean duplicateAbortsTransaction();

    /** Whether reads at this level see other transactions' uncommitted changes ({@code risky-isolation}). */
    public abstract boolean dirtyReads(Isolation isolation);

    /** The clause that makes a read a shared-lock read on this server ({@code FOR SHARE}, {@code LOCK IN SHARE MODE}). */
    public abstract String sharedLockClause();

    // ---- errors ---------------------------------------------------------------------------------

    /** Whether a failure with this vendor code and SQLState is a duplicate key. */
    public abstract boolean duplicateKey(int vendorCode, String sqlState);

    /** Whether a failure with this vendor code and SQLState made the server roll back the whole transaction. */
    public abstract boolean rolledBackWholeTransaction(int vendorCode, String sqlState);

    /**
     * Whether a failure ended the transaction on the server (InnoDB rolls back a deadlock victim's whole
     * transaction; PostgreSQL's transaction stays open, aborted, until the application rolls back).
     */
    public abstract boolean endsTransaction(int vendorCode, String sqlState);

    /** Whether a failure is a lock-wait timeout (retried by {@code Retry} only when asked to). */
    public abstract boolean lockWaitTimeout(int vendorCode, String sqlState);

    /** Whether a failure is a deadlock the server broke by rolling this transaction back. */
    public abstract boolean deadlock(int vendorCode, String sqlState);

    /** The name of the key a duplicate-key error names, or {@code null}. */
    public abstract String duplicateKeyName(SQLException e);

    // ---- fix texts ------------------------------------------------------------------------------

    /** How a person recognises the duplicate-key error: {@code 1062, SQLState 23000}. */
    public abstract String duplicateKeyError();

    /** How a person recognises the deadlock error: {@code 1213}. */
    public abstract String deadlockError();

    /** What the server's defaults mean for the rules and the repair, for the once-per-server summary line. */
    public abstract String defaultsMeaning(ServerDefaults defaults, boolean recoveryOn);

    /** What a check taken as a locking read does, for the fix of {@code check-then-insert} (JPA's words or SQL's). */
    public abstract String lockingCheckAdvice(boolean jpa);

    /** What else a duplicate key does at this level, appended to {@code check-then-insert}'s WARN ("" if nothing). */
    public abstract String afterDuplicate(io.jdbcguard.sql.Isolation isolation);

    /** How to read a row for a read-modify-write so that no concurrent write is lost (the fix of {@code lost-update}). */
    public abstract String lockedReadAdvice();

    /** The insert forms that let a concurrent duplicate pass without an error. */
    public abstract String upsertForms();

    // ---- the index catalogue and the server -----------------------------------------------------

    /**
     * The schema unqualified names of a connection resolve in, where the driver knows it without asking the
     * server (MySQL's current database); {@code null} where only a query would tell (PostgreSQL's
     * {@code current_schema()}): the catalogue queries then resolve it on the guard's own connection.
     */
    public abstract String currentSchema(Connection c) throws SQLException;

    /**
     * The isolation of a connection just opened, read through the driver's API where that is how the guard has
     * always read it; where the driver would ask the server on the application's connection (pgJDBC runs
     * {@code SHOW TRANSACTION ISOLATION LEVEL}), the server's default as read on the guard's own connection
     * ({@code serverDefault}, {@code null} while not read), else this database's default.
     */
    public abstract Isolation isolationAtOpen(Connection c, Isolation serverDefault) throws SQLException;

    /**
     * The query of a table's unique indexes, parameters (schema or {@code null} for the current one, table),
     * rows (table name as kept, index name, column name) ordered by index and position.
     */
    public abstract String uniqueIndexQuery();

    /** The same for foreign keys (table, constraint, column). */
    public abstract String foreignKeyQuery();

    /** The same for the first column of every index (table, index, column). */
    public abstract String leadingColumnQuery();

    /** Reads what the guard reports of the server, on the guard's own connection. */
    public abstract ServerDefaults readDefaults(Connection own) throws SQLException;

    /**
     * The query on the guard's own connection that returns the server's latest deadlock report (its third
     * column), or {@code null} where the server puts the other side into the error itself.
     */
    public abstract String deadlockReportQuery();

    /** The other side's statement in a deadlock report, the side that is not {@code mine}; {@code null} if not this deadlock. */
    public String otherDeadlockStatement(String report, Predicate<String> mine) {
        return null;
    }

    @Override
    public String toString() {
        return database();
    }
}
