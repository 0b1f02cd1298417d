package io.jdbcguard.dialect;

import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.Syntax;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL through pgJDBC: READ COMMITTED by default; locking reads that find no row lock nothing at any
 * level, and locking reads use the transaction's snapshot (no fresh read after a duplicate key at REPEATABLE
 * READ); a duplicate key aborts the transaction (25P02 until a rollback); errors by SQLState only; the
 * catalogue in {@code pg_index}/{@code pg_constraint}. The one repair is a savepoint around an INSERT that
 * completes a check ({@code duplicate-aborts-transaction}).
 */
public final class PostgresDialect extends Dialect {

    static final PostgresDialect INSTANCE = new PostgresDialect();

    /** unique_violation. */
    public static final String UNIQUE_VIOLATION = "23505";
    /** deadlock_detected. */
    public static final String DEADLOCK_DETECTED = "40P01";
    /** serialization_failure. */
    public static final String SERIALIZATION_FAILURE = "40001";

    private PostgresDialect() {
    }

    @Override
    public String database() {
        return "postgresql";
    }

    @Override
    public Syntax syntax() {
        return Syntax.POSTGRESQL;
    }

    @Override
    public Isolation defaultIsolation() {
        return Isolation.READ_COMMITTED;
    }

    @Override
    public boolean lockingReadLocksGap(Isolation isolation) {
        return false; // a row lock needs a row: no predicate or gap locks outside SERIALIZABLE's SSI
    }

    @Override
    public boolean locksScannedRows() {
        return false; // rows are locked as returned, not as scanned
    }

    @Override
    public boolean losesUpdatesAt(Isolation isolation) {
        return isolation == null || isolation == Isolation.READ_COMMITTED || isolation == Isolation.READ_UNCOMMITTED;
    }

    @Override
    public boolean staleSnapshotAfterDuplicate(Isolation isolation) {
        return false; // the transaction is aborted instead: duplicate-aborts-transaction
    }

    @Override
    public boolean duplicateAbortsTransaction() {
        return true;
    }

    @Override
    public boolean dirtyReads(Isolation isolation) {
        return false; // READ UNCOMMITTED is READ COMMITTED on PostgreSQL
    }

    @Override
    public String defaultsMeaning(ServerDefaults d, boolean recoveryOn) {
        Isolation iso = d.defaultIsolation();
        if (iso == Isolation.REPEATABLE_READ || iso == Isolation.SERIALIZABLE) {
            return "Under " + iso + " a duplicate key (23505) aborts the transaction and even a locking re-read"
                    + " answers from its snapshot, so only a retry of the whole transaction helps (io.jdbcguard.Retry"
                    + " retries 23505 after a check, 40001 and 40P01); lost updates fail with 40001 instead.";
        }
        return "Under READ COMMITTED a duplicate key (23505) aborts the transaction (25P02 until a rollback); the"
                + " guard's savepoint around an INSERT that completes a check is "
                + (recoveryOn ? "on (guard.recovery=fresh-read)" : "off (guard.recovery=off)")
                + ", so the fallback read sees the winner's row. READ UNCOMMITTED is READ COMMITTED here.";
    }

    @Override
    public String sharedLockClause() {
        return "FOR SHARE";
    }

    @Override
    public boolean duplicateKey(int vendorCode, String sqlState) {
        return UNIQUE_VIOLATION.equals(sqlState);
    }

    /**
     * pgJDBC carries no vendor code: a failure with one is another database's, whatever its SQLState. A deadlock or
     * a serialization failure (a deferred constraint's 23505 at COMMIT is not retried: {@code RetryPolicyTest}).
     */
    @Override
    public boolean rolledBackWholeTransaction(int vendorCode, String sqlState) {
        return vendorCode == 0 && (DEADLOCK_DETECTED.equals(sqlState) || SERIALIZATION_FAILURE.equals(sqlState));
    }

    /** lock_not_available: {@code lock_timeout} passed, or {@code NOWAIT} found the row locked. */
    @Override
    public boolean lockWaitTimeout(int vendorCode, String sqlState) {
        return vendorCode == 0 && "55P03".equals(sqlState);
    }

    @Override
    public boolean endsTransaction(int vendorCode, String sqlState) {
        return false;
    }

    @Override
    public boolean deadlock(int vendorCode, String sqlState) {
        return DEADLOCK_DETECTED.equals(sqlState);
    }

    /** {@code ERROR: duplicate key value violates unique constraint "users_email_key"}. */
    @Override
    public String duplicateKeyName(SQLException e) {
        String message = e == null ? null : e.getMessage();
        if (message == null) {
            return null;
        }
        int at = message.indexOf("unique constraint \"");
        int end = at < 0 ? -1 : message.indexOf('"', at + 19);
        return end < 0 ? null : message.substring(at + 19, end);
    }

    @Override
    public String duplicateKeyError() {
        return "SQLState 23505";
    }

    @Override
    public String deadlockError() {
        return "SQLState 40P01";
    }

    @Override
    public String lockingCheckAdvice(boolean jpa) {
        return jpa ? " A lookup with @Lock(LockModeType.PESSIMISTIC_WRITE) does not help: on PostgreSQL a locking read"
                + " that finds no row locks nothing, at any isolation level."
                : " A check taken as SELECT … FOR UPDATE does not help: on PostgreSQL a locking read that finds no row"
                + " locks nothing, at any isolation level.";
    }

    @Override
    public String afterDuplicate(Isolation isolation) {
        return ", and the error aborts the loser's transaction (every later statement fails with 25P02 until a"
                + " rollback), see duplicate-aborts-transaction";
    }

    @Override
    public String lockedReadAdvice() {
        return "read with SELECT … FOR NO KEY UPDATE in the same transaction as the UPDATE (it blocks the row's"
                + " concurrent writers, not inserts of rows that refer to it), or run the transaction at REPEATABLE READ"
                + " and retry it on 40001 (io.jdbcguard.Retry)";
    }

    @Override
    public String upsertForms() {
        return "INSERT … ON CONFLICT DO NOTHING (or DO UPDATE)";
    }

    /** pgJDBC's {@code getSchema()} is a query on the application's connection: never asked. */
    @Override
    public String currentSchema(Connection c) {
        return null;
    }

    /** pgJDBC's {@code getTransactionIsolation()} is a query on the application's connection: never asked. */
    @Override
    public Isolation isolationAtOpen(Connection c, Isolation serverDefault) {
        return serverDefault != null ? serverDefault : Isolation.READ_COMMITTED;
    }

    /** Indexes valid and whole: no partial ones, no expressions; {@code INCLUDE} columns are not key columns. */
    private static final String INDEX_COLUMNS = "SELECT t.relname, i.relname, a.attname FROM pg_index x"
            + " JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid"
            + " JOIN pg_namespace n ON n.oid = t.relnamespace"
            + " CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)"
            + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
            + " WHERE lower(n.nspname) = lower(COALESCE(?, current_schema())) AND lower(t.relname) = lower(?)"
            + " AND x.indisvalid AND x.indexprs IS NULL";

    @Override
    public String uniqueIndexQuery() {
        return INDEX_COLUMNS + " AND x.indisunique AND x.indpred IS NULL AND k.ord <= x.indnkeyatts"
                + " ORDER BY i.relname, k.ord";
    }

    @Override
    public String foreignKeyQuery() {
        return "SELECT t.relname, c.conname, a.attname FROM pg_constraint c"
                + " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
                + " CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)"
                + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
                + " WHERE c.contype = 'f' AND lower(n.nspname) = lower(COALESCE(?, current_schema()))"
                + " AND lower(t.relname) = lower(?) ORDER BY c.conname, k.ord";
    }

    @Override
    public String leadingColumnQuery() {
        return INDEX_COLUMNS + " AND k.ord = 1 ORDER BY i.relname";
    }

    @Override
    public ServerDefaults readDefaults(Connection own) throws SQLException {
        String product = own.getMetaData().getDatabaseProductName() + " " + own.getMetaData().getDatabaseProductVersion();
        try (Statement st = own.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('default_transaction_isolation')")) {
            String iso = rs.next() ? rs.getString(1) : null;
            Isolation parsed = Isolation.parse(iso);
            return new ServerDefaults(product, parsed == null ? Isolation.READ_COMMITTED : parsed, true, "not present",
                    null, "default_transaction_isolation '" + iso + "'");
        }
    }

    @Override
    public String deadlockReportQuery() {
        return null; // the error's detail names the other process
    }
}
