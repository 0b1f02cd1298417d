package io.jdbcguard.fact;

import io.jdbcguard.config.GuardConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A guarded connection as facts name it: an id unique in the JVM, its data source, and a way to ask for
 * its current schema (a local call on the real driver, made only when a finding needs it).
 */
public final class ConnectionInfo {

    private final long id;
    private final DataSourceInfo dataSource;
    private final SchemaSource schema;
    private final ServerSession server;

    public ConnectionInfo(long id, DataSourceInfo dataSource, SchemaSource schema, ServerSession server) {
        this.id = id;
        this.dataSource = dataSource;
        this.schema = schema;
        this.server = server;
    }

    /** What the guard knows of this connection's server session, read lazily, at most once each. */
    public ServerSession server() {
        return server;
    }

    /** Facts of a connection's server session. */
    public interface ServerSession {
        /** The shared-lock clause this server takes: {@code LOCK IN SHARE MODE} (MariaDB) or {@code FOR SHARE} (MySQL 8). */
        String sharedLockClause();

        /**
         * Whether {@code innodb_snapshot_isolation} is on (false where the server has no such variable),
         * as read on the guard's own connection; {@code null} when not known (yet).
         */
        Boolean snapshotIsolation();
    }

    /** The server and user a masked URL reaches: the URL without its query, and the user. */
    public static String serverKey(String maskedUrl, String user) {
        int q = maskedUrl.indexOf('?');
        return (q < 0 ? maskedUrl : maskedUrl.substring(0, q)) + '|' + (user == null ? "" : user);
    }

    /**
     * Whether the connection holds a session lock ({@code LOCK TABLES} until {@code UNLOCK TABLES},
     * {@code GET_LOCK} until {@code RELEASE_LOCK}/{@code RELEASE_ALL_LOCKS}), tracked from every statement
     * the connection runs, whether or not anyone reads its result.
     */
    public boolean sessionLocked() {
        return sessionLocked;
    }

    /** Set by the connection after each statement. */
    public void sessionLocked(boolean held) {
        sessionLocked = held;
    }

    private volatile boolean sessionLocked;

    /** Unique per physical connection the guard wrapped. */
    public long id() {
        return id;
    }

    public DataSourceInfo dataSource() {
        return dataSource;
    }

    public GuardConfig config() {
        return dataSource.config();
    }

    /** The database this connection talks to. */
    public io.jdbcguard.dialect.Dialect dialect() {
        return dataSource.dialect();
    }

    /** The connection's current schema (database), or {@code null} if unknown. */
    public String currentSchema() {
        try {
            return schema.currentSchema();
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    /** Where the current schema comes from. */
    @FunctionalInterface
    public interface SchemaSource {
        String currentSchema() throws SQLException;
    }

    /** Opens a connection of the data source for the guard's own metadata reads; the caller closes it. */
    @FunctionalInterface
    public interface MetadataConnections {
        Connection open() throws SQLException;
    }

    /**
     * A data source as the guard knows it: its URL without credentials, its settings, a way to open
     * connections of its own for metadata, and the per-data-source state of listeners.
     */
    public static final class DataSourceInfo {
        private final String maskedUrl;
        private final GuardConfig config;
        private final MetadataConnections metadata;
        private final String sessionVariables;
        private final ConcurrentHashMap<Class<?>, Object> state = new ConcurrentHashMap<>();
        private final ServerFacts serverFacts;
        private final java.util.function.Consumer<java.util.Properties> credentials;

        private final GuardRuntime runtime;
        /** The database behind this data source, known once its first connection opened. */
        private volatile io.jdbcguard.dialect.Dialect dialect;

        /** A data source of a wrapped {@code DataSource}: its own connections come from it. */
        public DataSourceInfo(GuardRuntime runtime, String maskedUrl, GuardConfig config, MetadataConnections metadata) {
            this(runtime, maskedUrl, config, metadata, null, maskedUrl, p -> { });
        }

        /**
         * @param sessionVariables the real driver's {@code sessionVariables} setting (Connector/J), or {@code null}
         * @param serverKey        the server and user this data source reaches ({@link #serverKey}): data
         *                         sources that differ only in other properties share what is read of it
         * @param credentials      takes the properties (credentials) of each new connection, for the
         *                         guard's own connections
         */
        public DataSourceInfo(GuardRuntime runtime, String maskedUrl, GuardConfig config, MetadataConnections metadata,
                              String sessionVariables, String serverKey,
                              java.util.function.Consumer<java.util.Properties> credentials) {
            this.runtime = runtime;
            this.maskedUrl = maskedUrl;
            this.config = config;
            this.metadata = metadata;
            this.sessionVariables = sessionVariables;
            this.serverFacts = runtime.servers().of(serverKey, this);
            this.credentials = credentials;
        }

        /** A connection of this data source was opened with these properties: the guard's own connections take them next. */
        public void credentialsUsed(java.util.Properties props) {
            credentials.accept(props);
        }

        /** The guard this data source belongs to: its bus, counters, threads. */
        public GuardRuntime runtime() {
            return runtime;
        }

        /**
         * The dialect of this data source, chosen from the metadata of its first connection (a local call of
         * the driver's); the fallback where that could not be read.
         */
        public io.jdbcguard.dialect.Dialect dialectOf(Connection first) {
            io.jdbcguard.dialect.Dialect d = dialect;
            if (d == null) {
                try {
                    d = io.jdbcguard.dialect.Dialects.of(first.getMetaData());
                } catch (Throwable t) {
                    io.jdbcguard.internal.InternalErrors.record("reading the server's product", t);
                    d = io.jdbcguard.dialect.Dialects.fallback();
                }
                dialect = d;
            }
            return d;
        }

        /** The dialect of this data source ({@link #dialectOf}), or the fallback before its first connection. */
        public io.jdbcguard.dialect.Dialect dialect() {
            io.jdbcguard.dialect.Dialect d = dialect;
            return d != null ? d : io.jdbcguard.dialect.Dialects.fallback();
        }

        /** What the guard reads of this data source's server on its own connection. */
        public ServerFacts serverFacts() {
            return serverFacts;
        }

        /** Connector/J's {@code sessionVariables} for this data source, or {@code null}. */
        public String sessionVariables() {
            return sessionVariables;
        }

        public String maskedUrl() {
            return maskedUrl;
        }

        public GuardConfig config() {
            return config;
        }

        /**
         * Opens a connection of this data source for the guard's own reads (indexes, server facts); the caller
         * closes it. The Java agent knows this method by name: what it opens is the guard's, never guarded.
         */
        public Connection openOwn() throws SQLException {
            return metadata.open();
        }

        /** Per-data-source state of a listener, created on first use. */
        public <T> T state(Class<T> type, Function<DataSourceInfo, T> create) {
            Object s = state.get(type); // the common case: there already, found without a lambda or a lock
            return type.cast(s != null ? s : state.computeIfAbsent(type, k -> create.apply(this)));
        }
    }
}
