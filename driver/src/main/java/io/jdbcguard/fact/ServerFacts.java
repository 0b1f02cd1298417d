package io.jdbcguard.fact;

import io.jdbcguard.dialect.ServerDefaults;
import io.jdbcguard.internal.GuardThreads;
import io.jdbcguard.internal.InternalErrors;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the guard reads of a server, once per server and user, on a connection of its own (never the
 * application's): what its dialect reads ({@link io.jdbcguard.dialect.Dialect#readDefaults}).
 * The read starts in the background when the first connection to the server opens; data sources that
 * differ only in other properties share it (one read, one summary line).
 */
public final class ServerFacts {

    /** One guard's servers: the least recently used beyond {@link #MAX_SERVERS} expire. */
    public static final class Registry {
        private static final int MAX_SERVERS = 64;
        private final GuardThreads threads;
        private final Map<String, ServerFacts> servers = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ServerFacts> eldest) {
                return size() > MAX_SERVERS;
            }
        };

        public Registry(GuardThreads threads) {
            this.threads = threads;
        }

        /** The facts of a server and user, shared by its data sources. */
        ServerFacts of(String serverKey, ConnectionInfo.DataSourceInfo dataSource) {
            synchronized (servers) {
                ServerFacts f = servers.computeIfAbsent(serverKey, k -> new ServerFacts(dataSource, threads));
                f.source = dataSource;
                return f;
            }
        }
    }
    private static final Pattern SNAPSHOT_VARIABLE = Pattern.compile("(?i)innodb_snapshot_isolation\\s*=\\s*'?(\\w+)");

    private final CompletableFuture<ServerDefaults> facts = new CompletableFuture<>();
    private final GuardThreads threads;
    /** The data source whose connection the read uses: the latest one to reach the server. */
    private volatile ConnectionInfo.DataSourceInfo source;
    private volatile boolean started;
    private final java.util.concurrent.atomic.AtomicBoolean summarised = new java.util.concurrent.atomic.AtomicBoolean();

    private ServerFacts(ConnectionInfo.DataSourceInfo source, GuardThreads threads) {
        this.source = source;
        this.threads = threads;
    }

    /** Starts the read if it has not started; never blocks, never throws. */
    public void start() {
        if (started) {
            return;
        }
        synchronized (this) {
            if (started) {
                return;
            }
            started = true;
        }
        try {
            threads.run(() -> facts.complete(read()));
        } catch (Throwable t) {
            facts.complete(null);
        }
    }

    /** True exactly once: for the caller that logs this server's summary line. */
    public boolean claimSummary() {
        return summarised.compareAndSet(false, true);
    }

    /** Runs the action with the facts once they are read (on a guard thread; not if the read failed). */
    public void whenRead(Consumer<ServerDefaults> action) {
        start();
        facts.thenAccept(f -> {
            if (f != null) {
                try {
                    action.accept(f);
                } catch (Throwable t) {
                    InternalErrors.record("using the server's facts", t);
                }
            }
        });
    }

    /**
     * Whether {@code innodb_snapshot_isolation} is on ({@code false} where the server has no such
     * variable); the data source's {@code sessionVariables} decide where they set it. {@code null} when
     * not known within {@code waitMs}.
     */
    public Boolean snapshotIsolation(long waitMs) {
        String vars = source.sessionVariables();
        if (vars != null) {
            Matcher m = SNAPSHOT_VARIABLE.matcher(vars);
            if (m.find()) {
                String v = m.group(1).toLowerCase(Locale.ROOT);
                return v.equals("on") || v.equals("1") || v.equals("true");
            }
        }
        start();
        try {
            ServerDefaults f = facts.get(waitMs, TimeUnit.MILLISECONDS);
            return f == null ? null : "ON".equals(f.snapshotIsolation());
        } catch (Exception e) {
            return null;
        }
    }

    /** The server's default isolation if it has been read (never waits), else {@code null}. */
    public io.jdbcguard.sql.Isolation defaultIsolationIfKnown() {
        ServerDefaults f = facts.getNow(null);
        return f == null ? null : f.defaultIsolation();
    }

    /** The server's {@code sql_mode} if it has been read (never waits), else {@code null}. */
    public String modesIfKnown() {
        ServerDefaults f = facts.getNow(null);
        return f == null ? null : f.modes();
    }

    private ServerDefaults read() {
        ConnectionInfo.DataSourceInfo ds = source;
        try (Connection conn = ds.openOwn()) {
            return ds.dialect().readDefaults(conn);
        } catch (Throwable t) {
            InternalErrors.record("reading the server's defaults for " + ds.maskedUrl(), t);
            return null;
        }
    }
}
