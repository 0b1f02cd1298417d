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
 * The indexes (unique ones whole, every one by its first column) and foreign keys of a data source's tables, read
 * with its dialect's queries ({@code INFORMATION_SCHEMA}, {@code pg_index}) on a
 * connection of the guard's own (never the application's, never inside its transaction), in the
 * background, once per table, again only after DDL on that table went through the guard. Looked up only
 * when a finding is about to be reported, and never awaited on the application's thread.
 */
public final class IndexCatalog {

    private final ConnectionInfo.DataSourceInfo dataSource;
    /**
     * What is known of a table: its unique indexes by name, the columns of each of its foreign keys, and the
     * first column of every index, unique or not, the primary key's included (names lower case).
     */
    record Keys(Map<String, Set<String>> unique, java.util.List<Set<String>> foreign, Set<String> leading) {
    }

    /**
     * Schema as asked ("" for the current one) → statement (its normalised text, whose hash the String keeps)
     * → whether an index serves its WHERE.
     */
    private final Map<String, Map<String, Boolean>> served = new ConcurrentHashMap<>();

    /** Schema (lower case, "" for the current one unknown) → table (lower case) → its keys. */
    private final Map<String, Map<String, CompletableFuture<Keys>>> tables = new ConcurrentHashMap<>();
    /** Names as written → lower case: a finding's lookup allocates nothing once its names were seen. */
    private final Map<String, String> lowerCase = new ConcurrentHashMap<>();

    IndexCatalog(ConnectionInfo.DataSourceInfo dataSource) {
        this.dataSource = dataSource;
    }

    static IndexCatalog of(ConnectionInfo.DataSourceInfo ds) {
        return ds.state(IndexCatalog.class, IndexCatalog::new);
    }

    /**
     * Starts reading the table's indexes if they are not known or being read; never blocks. The
     * future completes (normally or exceptionally) when the read ends.
     */
    CompletableFuture<Keys> lookup(TableName table, String currentSchema) {
        String schema = table.schema() != null ? table.schema() : currentSchema;
        Map<String, CompletableFuture<Keys>> inSchema = tables.get(lower(schema));
        if (inSchema == null) {
            inSchema = tables.computeIfAbsent(lower(schema), k -> new ConcurrentHashMap<>());
        }
        String name = lower(table.name());
        CompletableFuture<Keys> f = inSchema.get(name);
        if (f == null || f.isCompletedExceptionally()) {
            CompletableFuture<Keys> started = new CompletableFuture<>();
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
        CompletableFuture<Keys> f = lookup(table, currentSchema);
        if (!f.isDone() || f.isCompletedExceptionally()) {
            return null;
        }
        for (Set<String> index : f.join().unique().values()) {
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
        CompletableFuture<Keys> f = lookup(table, currentSchema);
        if (indexName == null || !f.isDone() || f.isCompletedExceptionally()) {
            return null;
        }
        return f.join().unique().get(indexName.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether the columns are exactly a foreign key's, the link of a child row to its parent (a read by them
     * lists a parent's children); {@code null} when not known yet. Never blocks.
     */
    Boolean foreignKey(TableName table, String currentSchema, Collection<String> columns) {
        CompletableFuture<Keys> f = lookup(table, currentSchema);
        if (!f.isDone() || f.isCompletedExceptionally()) {
            return null;
        }
        Set<String> asked = new java.util.HashSet<>(columns);
        for (Set<String> fk : f.join().foreign()) {
            if (fk.equals(asked)) {
                return Boolean.TRUE;
            }
        }
        return Boolean.FALSE;
    }

    /**
     * Whether some index of the statement's table has its first column among the columns its WHERE names
     * ({@link #whereColumns}), as far as already read: {@code null} when the indexes are not known yet. Never blocks;
     * a known answer is kept per statement text, so a statement seen before costs two map reads.
     */
    Boolean served(String normalized, io.jdbcguard.sql.Structure statement, String currentSchema) {
        String schemaKey = currentSchema == null ? "" : currentSchema;
        Map<String, Boolean> inSchema = served.get(schemaKey);
        Boolean known = inSchema == null ? null : inSchema.get(normalized);
        if (known != null) {
            return known;
        }
        CompletableFuture<Keys> f = lookup(statement.table(), currentSchema);
        if (!f.isDone() || f.isCompletedExceptionally()) {
            return null;
        }
        Set<String> leading = f.join().leading();
        boolean answer = false;
        for (String c : whereColumns(statement)) {
            if (leading.contains(c)) {
                answer = true;
                break;
            }
        }
        if (inSchema == null) {
            inSchema = served.computeIfAbsent(schemaKey, k -> new ConcurrentHashMap<>());
        }
        if (inSchema.size() > 4096) {
            inSchema.clear();
        }
        inSchema.put(normalized, answer);
        return answer;
    }

    /** The columns a statement's WHERE names: its equalities' first, then those of its other terms. */
    static java.util.List<String> whereColumns(io.jdbcguard.sql.Structure statement) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (io.jdbcguard.sql.Structure.Equality e : statement.keyEqualities()) {
            if (!out.contains(e.column())) {
                out.add(e.column());
            }
        }
        for (String c : statement.otherColumns()) {
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The first columns of the table's indexes (lower case), or {@code null} when not known yet. */
    Set<String> leadingColumns(io.jdbcguard.sql.Structure.TableName table, String currentSchema) {
        CompletableFuture<Keys> f = lookup(table, currentSchema);
        return !f.isDone() || f.isCompletedExceptionally() ? null : f.join().leading();
    }

    /** Forgets a table after DDL on it ({@code schema} null: in every schema); {@code null} forgets every table. */
    void invalidate(String schema, String table) {
        served.clear();
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

    /**
     * Reads a table's keys. Names are matched without regard to case, and the rows of the name that matches
     * exactly, if several do, are kept: with {@code lower_case_table_names=0} (Linux's default) the server
     * keeps names as created ({@code ACCOUNT}), while the guard reads them from the SQL in lower case.
     */
    private Keys read(String schema, String table) {
        dataSource.runtime().counters().indexLookups.increment();
        io.jdbcguard.dialect.Dialect dialect = dataSource.dialect();
        try (Connection c = dataSource.openOwn();
             PreparedStatement unique = c.prepareStatement(dialect.uniqueIndexQuery());
             PreparedStatement foreign = c.prepareStatement(dialect.foreignKeyQuery());
             PreparedStatement leading = c.prepareStatement(dialect.leadingColumnQuery())) {
            Map<String, Set<String>> byIndex = columns(unique, schema, table);
            Map<String, Set<String>> byForeignKey = columns(foreign, schema, table);
            Set<String> first = new java.util.HashSet<>();
            columns(leading, schema, table).values().forEach(first::addAll);
            return new Keys(java.util.Collections.unmodifiableMap(byIndex), java.util.List.copyOf(byForeignKey.values()),
                    Set.copyOf(first));
        } catch (Exception e) {
            InternalErrors.record("reading the keys of " + table, e);
            throw new IllegalStateException(e);
        }
    }

    /** Name (lower case) → its columns (lower case, in order), of the table that matches best. */
    private static Map<String, Set<String>> columns(PreparedStatement ps, String schema, String table) throws java.sql.SQLException {
        ps.setString(1, schema);
        ps.setString(2, table);
        Map<String, Map<String, Set<String>>> byTable = new LinkedHashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                byTable.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                        .computeIfAbsent(rs.getString(2).toLowerCase(Locale.ROOT), k -> new java.util.LinkedHashSet<>())
                        .add(rs.getString(3).toLowerCase(Locale.ROOT));
            }
        }
        Map<String, Set<String>> chosen = byTable.getOrDefault(table, byTable.isEmpty() ? Map.of() : byTable.values().iterator().next());
        Map<String, Set<String>> out = new LinkedHashMap<>();
        chosen.forEach((name, cols) -> out.put(name, Set.copyOf(cols)));
        return out;
    }
}
