package io.jdbcguard.internal;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

/** MySQL/MariaDB error codes and SQLStates the guard reads, in one place. */
public final class Vendor {

    /** Duplicate key (SQLState {@link #SQLSTATE_INTEGRITY}). */
    public static final int ER_DUP_ENTRY = 1062;
    /** Deadlock: the server rolled the whole transaction back. */
    public static final int ER_LOCK_DEADLOCK = 1213;
    /** Lock wait timeout. */
    public static final int ER_LOCK_WAIT_TIMEOUT = 1205;
    /** Record changed since the snapshot ({@code innodb_snapshot_isolation}): the transaction was rolled back. */
    public static final int ER_CHECKREAD = 1020;
    /** Integrity constraint violation, the class of a duplicate key. */
    public static final String SQLSTATE_INTEGRITY = "23000";
    /** Serialization failure. */
    public static final String SQLSTATE_SERIALIZATION = "40001";
    /** Client unable to establish a connection: the guard's own configuration and driver errors use it too. */
    public static final String SQLSTATE_CONNECT = "08001";
    /** Statement interrupted ({@code KILL QUERY}, a query timeout in some drivers). */
    public static final String SQLSTATE_INTERRUPTED = "70100";

    private Vendor() {
    }

    /**
     * The server as a person names it: MySQL's Connector/J calls every server "MySQL", and a MariaDB server
     * says what it is in its version ({@code 11.4.5-MariaDB}, {@code 5.5.5-10.11.6-MariaDB-log}).
     */
    public static String product(String driverProduct, String version) {
        if (version != null && version.contains("-MariaDB")) {
            String v = version.substring(0, version.indexOf("-MariaDB"));
            if (v.startsWith("5.5.5-")) {
                v = v.substring(6); // the replication prefix older MariaDB servers send
            }
            return "MariaDB " + v;
        }
        return driverProduct + " " + version;
    }

    /**
     * The key a duplicate-key error names ({@code … for key 'ux_email'} on MariaDB, {@code … for key
     * 'users.ux_email'} on MySQL 8), or {@code null} when the message names none.
     */
    public static String duplicateKeyName(String message) {
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

    /**
     * Whether a throwable is the application's connection failing (SQLState class {@code 08}, an
     * interrupted statement, a closed connection), anywhere in its cause chain: an ordinary event of
     * the application's, not a failure of the guard.
     */
    public static boolean connectionFailure(Throwable t) {
        for (int i = 0; t != null && i < 10; i++, t = t.getCause()) {
            if (t instanceof SQLNonTransientConnectionException || t instanceof SQLTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException) {
                String state = ((SQLException) t).getSQLState();
                if (state != null && (state.startsWith("08") || state.equals(SQLSTATE_INTERRUPTED))) {
                    return true;
                }
            }
            String name = t.getClass().getName();
            if (name.endsWith("CommunicationsException") || name.endsWith("ConnectionIsClosedException")) {
                return true;
            }
        }
        return false;
    }
}
