package io.jdbcguard.rules;

import io.jdbcguard.fact.ConnectionInfo;
import io.jdbcguard.internal.InternalErrors;
import io.jdbcguard.sql.Structure.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The unique indexes of a data source's tables, read from {@code INFORMATION_SCHEMA.STATISTICS} on a
 * connection of the guard's own (never the application's, never inside its transaction), in the
 * background, once per table, again only after DDL on that table went through the guard. Looked up only
 * when a finding is about to be reported, and never awaited on the application's thread.
 */
public final class IndexCatalog {

    private final ConnectionInfo.DataSourceInfo dataSource;
    /** Schema (lower case, "" for the current one unknown) → table (lower case) → its unique indexes by name (lower case). */
    private final Map<String, Map<String, CompletableFuture<Map<String, Set<String>>>>> tables = new ConcurrentHashMap<>();
    /** Names as written → lower case: a finding's lookup allocates nothing once its names were seen. */
    private final Map<String, String> lowerCase = new ConcurrentHashMap<>();

    IndexCatalog(ConnectionInfo.DataSourceInfo dataSource) {
        this.dataSource = dataSource;
    }

    static IndexCatalog of(ConnectionInfo.DataSourceInfo ds) {
        return ds.state(IndexCatalog.class, IndexCatalog::new);
    }

    /**
     * Starts reading the table's unique indexes if they are not known or being read; never blocks. The
     * future completes (normally or exceptionally) when the read ends.
     */
    CompletableFuture<Map<String, Set<String>>> lookup(TableName table, String currentSchema) {
        String schema = table.schema() != null ? table.schema() : currentSchema;
        Map<String, CompletableFuture<Map<String, Set<String>>>> inSchema = tables.get(lower(schema));
        if (inSchema == null) {
            inSchema = tables.computeIfAbsent(lower(schema), k -> new ConcurrentHashMap<>());
        }
        String name = lower(table.name());
        CompletableFuture<Map<String, Set<String>>> f = inSchema.get(name);
        if (f == null || f.isCompletedExceptionally()) {
            CompletableFuture<Map<String, Set<String>>> started = new CompletableFuture<>();
            f = f == null ? inSchema.putIfAbsent(name, started) : (inSchema.replace(name, f, started) ? null : inSchema.get(name));
            if (f == null) {
                f = started;
                dataSource.runtime().threads().run(() -> {
                    try {
                        started.complete(read(schema, table.name()));
                    } catch (Throwable t) {
                        started.completeExceptionally(t);
                    }
                });
            }
        }
        return f;
    }

    private String lower(String s) {
        if (s == null) {
            return "";
        }
        String l = lowerCase.get(s);
        if (l == null) {
            if (lowerCase.size() > 4096) {
                lowerCase.clear();
            }
            l = s.toLowerCase(Locale.ROOT);
            lowerCase.put(s, l);
        }
        return l;
    }

    /**
     * Whether some unique index lies within the columns, as far as already read: {@code null} when the
     * indexes are not known (not read yet, or the read failed). Never blocks.
     */
    Boolean uniqueWithin(TableName table, String currentSchema, Collection<String> columns) {
        CompletableFuture<Map<String, Set<String>>> f = lookup(table, currentSchema);
        if (!f.isDone() || f.isCompletedExceptionally()) {
            return null;
        }
        for (Set<String> index : f.join().values()) {
            if (!index.isEmpty() && columns.containsAll(index)) {
                return Boolean.TRUE;
            }
        }
        return Boolean.FALSE;
    }

    /**
     * The columns of the unique index of that name (lower case), as far as already read: {@code null} when
     * not known (not read yet, the read failed, no such index). Never blocks.
     */
    Set<String> uniqueColumns(TableName table, String currentSchema, String indexName) {
        CompletableFuture<Map<String, Set<String>>> f = lookup(table, currentSchema);
        if (indexName == null || !f.isDone() || f.isCompletedExceptionally()) {
            return null;
        }
        return f.join().get(indexName.toLowerCase(Locale.ROOT));
    }

    /** Forgets a table after DDL on it ({@code schema} null: in every schema); {@code null} forgets every table. */
    void invalidate(String schema, String table) {
        if (table == null) {
            tables.clear();
            return;
        }
        String name = table.toLowerCase(Locale.ROOT);
        tables.forEach((s, inSchema) -> {
            if (schema == null || s.equals(schema.toLowerCase(Locale.ROOT))) {
                inSchema.remove(name);
            }
        });
    }

    private Map<String, Set<String>> read(String schema, String table) {
        dataSource.runtime().counters().indexLookups.increment();
        try (Connection c = dataSource.openOwn();
             PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.STATISTICS "
                     + "WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0 "
                     + "ORDER BY INDEX_NAME, SEQ_IN_INDEX")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            Map<String, Set<String>> byIndex = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byIndex.computeIfAbsent(rs.getString(1).toLowerCase(Locale.ROOT), k -> new java.util.LinkedHashSet<>())
                            .add(rs.getString(2).toLowerCase(Locale.ROOT));
                }
            }
            Map<String, Set<String>> out = new LinkedHashMap<>();
            byIndex.forEach((name, columns) -> out.put(name, Set.copyOf(columns)));
            return java.util.Collections.unmodifiableMap(out);
        } catch (Exception e) {
            InternalErrors.record("reading the unique indexes of " + table, e);
            throw new IllegalStateException(e);
        }
    }
}
