package io.jdbcguard.fact;

import io.jdbcguard.internal.GuardThreads;
import io.jdbcguard.internal.InternalErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the guard reads of a data source's server, once, on a connection of its own (never the
 * application's): whether {@code innodb_snapshot_isolation} is on. The read starts in the background
 * when the data source's first connection opens.
 */
public final class ServerFacts {

    private final ConnectionInfo.DataSourceInfo dataSource;
    private volatile CompletableFuture<Boolean> snapshotIsolation;

    ServerFacts(ConnectionInfo.DataSourceInfo dataSource) {
        this.dataSource = dataSource;
    }

    /** Starts the read if it has not started; never blocks, never throws. */
    public void start() {
        if (snapshotIsolation == null) {
            synchronized (this) {
                if (snapshotIsolation == null) {
                    CompletableFuture<Boolean> f = new CompletableFuture<>();
                    snapshotIsolation = f;
                    try {
                        GuardThreads.run(() -> f.complete(readSnapshotIsolation()));
                    } catch (Throwable t) {
                        f.complete(null);
                    }
                }
            }
        }
    }

    /**
     * Whether {@code innodb_snapshot_isolation} is on ({@code false} where the server has no such
     * variable); {@code null} when it is not known within {@code waitMs}.
     */
    public Boolean snapshotIsolation(long waitMs) {
        start();
        try {
            return snapshotIsolation.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    private Boolean readSnapshotIsolation() {
        String vars = dataSource.sessionVariables();
        if (vars != null && vars.toLowerCase(java.util.Locale.ROOT).contains("innodb_snapshot_isolation")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "(?i)innodb_snapshot_isolation\\s*=\\s*'?(\\w+)").matcher(vars);
            if (m.find()) {
                String v = m.group(1).toLowerCase(java.util.Locale.ROOT);
                return v.equals("on") || v.equals("1") || v.equals("true");
            }
        }
        try (Connection c = dataSource.metadata().open(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT @@innodb_snapshot_isolation")) {
                return rs.next() && rs.getInt(1) != 0;
            } catch (SQLException e) {
                return Boolean.FALSE; // no such variable on this server
            }
        } catch (Throwable t) {
            InternalErrors.record("reading innodb_snapshot_isolation on the guard's own connection", t);
            return null;
        }
    }
}
