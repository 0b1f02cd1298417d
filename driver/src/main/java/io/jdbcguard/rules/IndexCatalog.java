package io.jdbcguard.rules;

import io.jdbcguard.fact.ConnectionInfo;
import io.jdbcguard.internal.InternalErrors;
import io.jdbcguard.sql.Structure.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The unique indexes of a data source's tables, read from {@code INFORMATION_SCHEMA.STATISTICS} on a
 * connection of the guard's own (never the application's, never inside its transaction), once per table,
 * again only after DDL on that table went through the guard. Looked up only when a finding is about to
 * be reported; the caller waits at most {@link #WAIT_MS} (a pool that hands out the lookup connection
 * could be exhausted by the very application thread that waits), after which the answer is "unknown".
 */
public final class IndexCatalog {

    static final long WAIT_MS = 2000;

    private static final ExecutorService LOOKUPS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jdbc-guard-index-lookup");
        t.setDaemon(true);
        return t;
    });

    private final ConnectionInfo.DataSourceInfo dataSource;
    private final Map<String, CompletableFuture<List<Set<String>>>> tables = new ConcurrentHashMap<>();
    /** Lookups sent to the server by every data source of the JVM. */
    private static final java.util.concurrent.atomic.AtomicLong LOOKUP_COUNT = new java.util.concurrent.atomic.AtomicLong();

    IndexCatalog(ConnectionInfo.DataSourceInfo dataSource) {
        this.dataSource = dataSource;
    }

    static IndexCatalog of(ConnectionInfo.DataSourceInfo ds) {
        return ds.state(IndexCatalog.class, IndexCatalog::new);
    }

    /**
     * The column sets of the table's unique indexes (primary key included), lower case; {@code null} when
     * they could not be read in time.
     */
    List<Set<String>> uniqueIndexes(TableName table, String currentSchema) {
        String schema = table.schema() != null ? table.schema() : currentSchema;
        String key = key(schema, table.name());
        CompletableFuture<List<Set<String>>> f = tables.computeIfAbsent(key,
                k -> CompletableFuture.supplyAsync(() -> read(schema, table.name()), LOOKUPS));
        try {
            return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (f.isCompletedExceptionally()) {
                tables.remove(key, f);
            }
            return null;
        }
    }

    /** Whether some unique index lies within the columns. {@code null}: unknown. */
    Boolean uniqueWithin(TableName table, String currentSchema, Collection<String> columns) {
        List<Set<String>> indexes = uniqueIndexes(table, currentSchema);
        if (indexes == null) {
            return null;
        }
        for (Set<String> index : indexes) {
            if (!index.isEmpty() && columns.containsAll(index)) {
                return Boolean.TRUE;
            }
        }
        return Boolean.FALSE;
    }

    /** Forgets a table after DDL on it; {@code null} forgets every table. */
    void invalidate(String schema, String table) {
        if (table == null) {
            tables.clear();
        } else {
            tables.keySet().removeIf(k -> k.endsWith("." + table.toLowerCase(Locale.ROOT))
                    && (schema == null || k.startsWith(schema.toLowerCase(Locale.ROOT) + ".")));
        }
    }

    /** How many index lookups every data source of the JVM sent to its server. */
    public static long lookups() {
        return LOOKUP_COUNT.get();
    }

    private static String key(String schema, String table) {
        return (schema == null ? "" : schema.toLowerCase(Locale.ROOT)) + "." + table.toLowerCase(Locale.ROOT);
    }

    private List<Set<String>> read(String schema, String table) {
        LOOKUP_COUNT.incrementAndGet();
        try (Connection c = dataSource.metadata().open();
             PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.STATISTICS "
                     + "WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0 "
                     + "ORDER BY INDEX_NAME, SEQ_IN_INDEX")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            Map<String, Set<String>> byIndex = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byIndex.computeIfAbsent(rs.getString(1), k -> new java.util.LinkedHashSet<>())
                            .add(rs.getString(2).toLowerCase(Locale.ROOT));
                }
            }
            List<Set<String>> out = new ArrayList<>();
            for (Set<String> s : byIndex.values()) {
                out.add(Set.copyOf(s));
            }
            return List.copyOf(out);
        } catch (Exception e) {
            InternalErrors.record("reading the unique indexes of " + table, e);
            throw new IllegalStateException(e);
        }
    }
}
