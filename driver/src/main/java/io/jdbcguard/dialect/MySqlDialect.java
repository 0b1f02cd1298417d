package io.jdbcguard.dialect;

import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SetInfo;
import io.jdbcguard.sql.Syntax;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MySQL and MariaDB on InnoDB: REPEATABLE READ by default, with gap locks and consistent snapshots;
 * errors by vendor code; the catalogue in {@code INFORMATION_SCHEMA}; {@code sql_mode} decides how texts
 * are lexed. The one repair is the fresh read after a duplicate key ({@code stale-read-after-duplicate}).
 */
public final class MySqlDialect extends Dialect {

    /** Duplicate key (SQLState {@code 23000}). */
    public static final int ER_DUP_ENTRY = 1062;
    /** Deadlock: the server rolled the whole transaction back. */
    public static final int ER_LOCK_DEADLOCK = 1213;
    /** Lock wait timeout. */
    public static final int ER_LOCK_WAIT_TIMEOUT = 1205;
    /** Record changed since the snapshot ({@code innodb_snapshot_isolation}): the transaction was rolled back. */
    public static final int ER_CHECKREAD = 1020;
    private static final String SQLSTATE_INTEGRITY = "23000";

    /** MariaDB, and MySQL before 8 ({@code LOCK IN SHARE MODE}). */
    static final MySqlDialect MARIADB = new MySqlDialect("mariadb", "LOCK IN SHARE MODE");
    static final MySqlDialect MYSQL_5 = new MySqlDialect("mysql", "LOCK IN SHARE MODE");
    /** MySQL 8 and later ({@code FOR SHARE}). */
    static final MySqlDialect MYSQL_8 = new MySqlDialect("mysql", "FOR SHARE");

    private static final Pattern SESSION_MODES = Pattern.compile("(?i)sql_mode\\s*=\\s*'([^']*)'");

    private final String database;
    private final String sharedLockClause;

    private MySqlDialect(String database, String sharedLockClause) {
        this.database = database;
        this.sharedLockClause = sharedLockClause;
    }

    @Override
    public String database() {
        return database;
    }

    @Override
    public Syntax syntax() {
        return Syntax.MYSQL;
    }

    @Override
    public Syntax sessionSyntax(String serverModes, String sessionVariables) {
        String modes = serverModes;
        if (sessionVariables != null) {
            Matcher m = SESSION_MODES.matcher(sessionVariables);
            if (m.find()) {
                modes = m.group(1);
            }
        }
        return modes == null ? Syntax.MYSQL : syntaxOf(modes);
    }

    @Override
    public Syntax syntaxAfter(SetInfo set, Syntax current) {
        return set.modes() == null ? current : syntaxOf(set.modes());
    }

    /**
     * The syntax of a {@code sql_mode} value. {@code ANSI_QUOTES} is also part of the combination modes
     * {@code ANSI}, and on MariaDB {@code ORACLE}, {@code POSTGRESQL}, {@code MSSQL}, {@code DB2} and {@code MAXDB}.
     */
    static Syntax syntaxOf(String modes) {
        boolean ansiQuotes = false;
        boolean noBackslash = false;
        for (String m : modes.toUpperCase(Locale.ROOT).split(",")) {
            switch (m.trim()) {
                case "ANSI_QUOTES": case "ANSI": case "ORACLE": case "POSTGRESQL": case "MSSQL": case "DB2": case "MAXDB":
                    ansiQuotes = true;
                    break;
                case "NO_BACKSLASH_ESCAPES":
                    noBackslash = true;
                    break;
                default:
                    break;
            }
        }
        return Syntax.mysql(noBackslash, ansiQuotes);
    }

    @Override
    public Isolation defaultIsolation() {
        return Isolation.REPEATABLE_READ;
    }

    @Override
    public boolean lockingReadLocksGap(Isolation isolation) {
        return isolation == null || isolation == Isolation.REPEATABLE_READ || isolation == Isolation.SERIALIZABLE;
    }

    @Override
    public boolean locksScannedRows() {
        return true;
    }

    @Override
    public boolean losesUpdatesAt(Isolation isolation) {
        return true; // at SERIALIZABLE the read takes a shared lock, and the pattern is serialized (see Patterns)
    }

    @Override
    public boolean staleSnapshotAfterDuplicate(Isolation isolation) {
        return isolation == Isolation.REPEATABLE_READ;
    }

    @Override
    public boolean duplicateAbortsTransaction() {
        return false;
    }

    @Override
    public boolean dirtyReads(Isolation isolation) {
        return isolation == Isolation.READ_UNCOMMITTED;
    }

    @Override
    public String defaultsMeaning(ServerDefaults d, boolean recoveryOn) {
        Isolation iso = d.defaultIsolation();
        if ("ON".equals(d.snapshotIsolation())) {
            return "With innodb_snapshot_isolation ON a locking re-read of a row changed since the snapshot rolls the"
                    + " whole transaction back (error 1020), so the guard does not rewrite re-reads after a duplicate"
                    + " key; use the retry helper io.jdbcguard.Retry.";
        } else if (iso == Isolation.REPEATABLE_READ) {
            return "Under REPEATABLE READ a re-SELECT after a duplicate key misses the winner's row; fresh read is "
                    + (recoveryOn ? "on (guard.recovery=fresh-read)." : "off (guard.recovery=off).");
        } else if (iso == Isolation.READ_COMMITTED) {
            return "Under READ COMMITTED a re-SELECT after a duplicate key sees the winner's row; check-then-insert"
                    + " still races.";
        } else if (iso == Isolation.SERIALIZABLE) {
            return "Under SERIALIZABLE plain reads take shared locks and deadlocks (1213) become routine; use the"
                    + " retry helper io.jdbcguard.Retry.";
        }
        return "Under READ UNCOMMITTED reads see uncommitted changes.";
    }

    @Override
    public String sharedLockClause() {
        return sharedLockClause;
    }

    @Override
    public boolean duplicateKey(int vendorCode, String sqlState) {
        return vendorCode == ER_DUP_ENTRY && SQLSTATE_INTEGRITY.equals(sqlState);
    }

    /**
     * Deadlock (1213, also Galera's certification failure), snapshot conflict (1020,
     * {@code innodb_snapshot_isolation}), Group Replication's rollback at COMMIT (3101), TiDB's write conflicts
     * (9007, 8002, 8005).
     */
    private static final int[] ROLLED_BACK = {ER_LOCK_DEADLOCK, ER_CHECKREAD, 3101, 9007, 8002, 8005};

    @Override
    public boolean rolledBackWholeTransaction(int vendorCode, String sqlState) {
        for (int c : ROLLED_BACK) {
            if (vendorCode == c) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean lockWaitTimeout(int vendorCode, String sqlState) {
        return vendorCode == ER_LOCK_WAIT_TIMEOUT;
    }

    @Override
    public boolean endsTransaction(int vendorCode, String sqlState) {
        return vendorCode == ER_LOCK_DEADLOCK;
    }

    @Override
    public boolean deadlock(int vendorCode, String sqlState) {
        return vendorCode == ER_LOCK_DEADLOCK;
    }

    /** {@code … for key 'ux_email'} on MariaDB, {@code … for key 'users.ux_email'} on MySQL 8. */
    @Override
    public String duplicateKeyName(SQLException e) {
        return keyNameIn(e == null ? null : e.getMessage());
    }

    static String keyNameIn(String message) {
        if (message == null) {
            return null;
        }
        int at = message.lastIndexOf("for key '");
        int end = message.lastIndexOf('\'');
        if (at < 0 || end <= at + 9) {
            return null;
        }
        String key = message.substring(at + 9, end);
        int dot = key.lastIndexOf('.');
        return dot >= 0 ? key.substring(dot + 1) : key;
    }

    @Override
    public String duplicateKeyError() {
        return "1062, SQLState 23000";
    }

    @Override
    public String deadlockError() {
        return "1213";
    }

    @Override
    public String lockingCheckAdvice(boolean jpa) {
        return jpa ? " A lookup with @Lock(LockModeType.PESSIMISTIC_WRITE) in the transaction that saves stops the"
                + " duplicates only at REPEATABLE READ, and there concurrent callers deadlock at the INSERT (1213, see"
                + " gap-lock-insert): use it only with a retry of the whole unit on 1213."
                : " A check taken as SELECT … FOR UPDATE in the INSERT's transaction stops the duplicates only at"
                + " REPEATABLE READ, and there concurrent callers deadlock at the INSERT (1213, see gap-lock-insert):"
                + " use it only with a retry of the whole unit on 1213 (io.jdbcguard.Retry).";
    }

    @Override
    public String afterDuplicate(Isolation isolation) {
        return isolation == Isolation.REPEATABLE_READ
                ? ", and on REPEATABLE READ a re-SELECT in the same transaction still misses the winner's row" : "";
    }

    @Override
    public String lockedReadAdvice() {
        return "read with SELECT … FOR UPDATE in the same transaction as the UPDATE";
    }

    @Override
    public String upsertForms() {
        return "INSERT … ON DUPLICATE KEY UPDATE or INSERT IGNORE";
    }

    @Override
    public Isolation isolationAtOpen(Connection c, Isolation serverDefault) throws SQLException {
        return Isolation.ofJdbc(c.getTransactionIsolation());
    }

    @Override
    public String currentSchema(Connection c) throws SQLException {
        String catalog = c.getCatalog();
        return catalog != null ? catalog : c.getSchema();
    }

    private static final String WHERE =
            " WHERE LOWER(TABLE_SCHEMA) = LOWER(COALESCE(?, DATABASE())) AND LOWER(TABLE_NAME) = LOWER(?)";

    @Override
    public String uniqueIndexQuery() {
        return "SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.STATISTICS" + WHERE
                + " AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX";
    }

    @Override
    public String foreignKeyQuery() {
        return "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE" + WHERE
                + " AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION";
    }

    @Override
    public String leadingColumnQuery() {
        return "SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.STATISTICS" + WHERE
                + " AND SEQ_IN_INDEX = 1 ORDER BY INDEX_NAME";
    }

    @Override
    public ServerDefaults readDefaults(Connection own) throws SQLException {
        try (Statement st = own.createStatement()) {
            String product = product(own.getMetaData().getDatabaseProductName(),
                    own.getMetaData().getDatabaseProductVersion());
            String isoText;
            boolean autocommit;
            try (ResultSet rs = st.executeQuery("SELECT @@global.transaction_isolation, @@global.autocommit")) {
                rs.next();
                isoText = rs.getString(1);
                autocommit = rs.getInt(2) != 0;
            } catch (SQLException e) {
                // MariaDB 10.11 knows only tx_isolation.
                try (ResultSet rs = st.executeQuery("SELECT @@global.tx_isolation, @@global.autocommit")) {
                    rs.next();
                    isoText = rs.getString(1);
                    autocommit = rs.getInt(2) != 0;
                }
            }
            String snapshot;
            try (ResultSet rs = st.executeQuery("SELECT @@innodb_snapshot_isolation")) {
                rs.next();
                snapshot = rs.getInt(1) != 0 ? "ON" : "OFF";
            } catch (SQLException e) {
                snapshot = "not present";
            }
            String modes = null;
            try (ResultSet rs = st.executeQuery("SELECT @@global.sql_mode")) {
                modes = rs.next() ? rs.getString(1) : null;
            } catch (SQLException e) {
                // not readable: texts are read in the default syntax
            }
            return new ServerDefaults(product, Isolation.parse(isoText), autocommit, snapshot, modes,
                    "innodb_snapshot_isolation " + snapshot);
        }
    }

    /**
     * The server as a person names it: MySQL's Connector/J calls every server "MySQL", and a MariaDB server
     * says what it is in its version ({@code 11.4.5-MariaDB}, {@code 5.5.5-10.11.6-MariaDB-log}).
     */
    static String product(String driverProduct, String version) {
        if (version != null && version.contains("-MariaDB")) {
            String v = version.substring(0, version.indexOf("-MariaDB"));
            if (v.startsWith("5.5.5-")) {
                v = v.substring(6); // the replication prefix older MariaDB servers send
            }
            return "MariaDB " + v;
        }
        return driverProduct + " " + version;
    }

    @Override
    public String deadlockReportQuery() {
        return "SHOW ENGINE INNODB STATUS";
    }

    @Override
    public String otherDeadlockStatement(String report, Predicate<String> mine) {
        InnodbDeadlock d = InnodbDeadlock.parse(report);
        // null when neither side ran this statement: the latest deadlock the server kept is another one
        return d == null ? null : d.otherThan(mine);
    }
}
