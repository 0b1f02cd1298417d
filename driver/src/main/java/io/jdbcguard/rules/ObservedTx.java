package io.jdbcguard.rules;

import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.sql.Structure;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One thread's current transaction as {@link ObservedRaceRule} notes it: its reads of rows by key (found or
 * not, with the collections fetched beside them) and its writes (inserted rows, updates by key), values as
 * hashes. Reused from one transaction to the next, so noting allocates nothing once its rows exist; bounded
 * ({@link #ROWS} reads and writes each, {@link Row#COLUMNS} columns a row). Only its own thread touches it.
 */
final class ObservedTx {

    static final int ROWS = 32;

    long connection;
    long transaction;
    long startSeq;
    boolean open;
    boolean othersAtStart;
    boolean overlapped;
    boolean committed;
    long startNanos;
    /** When its last noted statement returned: a read of another transaction that ended before this raced it. */
    long lastNanos;
    String thread;
    boolean logValues;
    private final Row[] reads = new Row[ROWS];
    private final Row[] writes = new Row[ROWS];
    private int nReads;
    private int nWrites;

    /** A read of one row by key, an inserted row, or an update of one row by key. */
    static final class Row {
        static final int COLUMNS = 16;
        Structure.TableName table;
        /** Key columns (read, update) or inserted columns (insert), lower case, and their values' hashes. */
        final String[] cols = new String[COLUMNS];
        final long[] vals = new long[COLUMNS];
        int n;
        boolean found;
        boolean duplicate;
        List<Structure.Collection> collections;
        /** An update's columns set to a value that does not refer to themselves. */
        final String[] assigned = new String[COLUMNS];
        int nAssigned;
        long nanos;
        StackTraceElement site;
        String sql;
        String shown;

        void clear(Structure.TableName table, long nanos, StackTraceElement site, String sql) {
            this.table = table;
            this.nanos = nanos;
            this.site = site;
            this.sql = sql;
            n = 0;
            nAssigned = 0;
            found = false;
            duplicate = false;
            collections = null;
            shown = null;
        }

        void put(String col, long val) {
            if (n < COLUMNS) {
                cols[n] = col;
                vals[n] = val;
                n++;
            }
        }

        boolean has(String col) {
            for (int i = 0; i < n; i++) {
                if (cols[i].equals(col)) {
                    return true;
                }
            }
            return false;
        }
    }

    void start(long connection, long transaction, long startSeq, boolean othersAtStart, long startNanos, String thread,
               boolean logValues) {
        this.connection = connection;
        this.transaction = transaction;
        this.startSeq = startSeq;
        this.othersAtStart = othersAtStart;
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
        this.thread = thread;
        this.logValues = logValues;
        open = true;
        overlapped = false;
        committed = false;
        nReads = 0;
        nWrites = 0;
    }

    /** Whether it noted a write (an insert, also one that lost on a duplicate key, or an update). */
    boolean wrote() {
        return nWrites > 0;
    }

    private static Row slot(Row[] rows, int i) {
        Row r = rows[i];
        if (r == null) {
            r = new Row();
            rows[i] = r;
        }
        return r;
    }

    void read(ExecutionFact f, Structure s, StackTraceElement site) {
        lastNanos = Math.max(lastNanos, f.endNanos());
        if (nReads == ROWS) {
            return;
        }
        Row r = slot(reads, nReads++);
        r.clear(s.table(), f.endNanos(), site, Patterns.sqlText(f));
        for (Structure.Equality e : s.keyEqualities()) {
            r.put(e.column(), keyHash(f.slotValue(e.slot())));
        }
        r.found = f.outcome().rowFound();
        r.collections = s.collections().isEmpty() ? null : s.collections();
        if (logValues) {
            r.shown = shown(f, s.keyEqualities());
        }
    }

    void insert(ExecutionFact f, Structure s, boolean duplicate, StackTraceElement site) {
        lastNanos = Math.max(lastNanos, f.endNanos());
        if (nWrites == ROWS || !f.paramsKnown()) {
            return; // values not kept: a NULL would stand for every unknown one, and unknown rows look alike
        }
        Row r = slot(writes, nWrites++);
        r.clear(s.table(), f.endNanos(), site, Patterns.sqlText(f));
        r.duplicate = duplicate;
        List<Integer> row = s.insertRows().get(0);
        for (int i = 0; i < s.insertColumns().size() && i < row.size(); i++) {
            int slot = row.get(i);
            if (slot > 0) { // an expression (NOW(), a sequence) is left out: whether two are equal is not known
                r.put(s.insertColumns().get(i), hash(f.slotValue(slot)));
            }
        }
    }

    void update(ExecutionFact f, Structure s, StackTraceElement site) {
        lastNanos = Math.max(lastNanos, f.endNanos());
        List<Structure.Assignment> set = s.assignments();
        // UPDATE t SET fk = ? WHERE id = ? right after an INSERT into t that left fk out: JPA's unidirectional
        // one-to-many attaching the row it just inserted. One insert that includes fk.
        if (set.size() == 1 && set.get(0).slot() > 0) {
            String fk = set.get(0).column();
            for (int i = nWrites - 1; i >= 0; i--) {
                Row w = writes[i];
                if (w.nAssigned == 0 && w.n > 0 && !w.duplicate && w.table.equals(s.table()) && !w.has(fk)
                        && !w.has("id")) {
                    w.put(fk, hash(f.slotValue(set.get(0).slot())));
                    return;
                }
            }
        }
        if (nWrites == ROWS) {
            return;
        }
        Row r = slot(writes, nWrites++);
        r.clear(s.table(), f.endNanos(), site, Patterns.sqlText(f));
        for (Structure.Equality e : s.keyEqualities()) {
            r.put(e.column(), keyHash(f.slotValue(e.slot())));
        }
        for (Structure.Assignment a : set) {
            if (!a.selfReferencing() && r.nAssigned < Row.COLUMNS) {
                r.assigned[r.nAssigned++] = a.column();
            }
        }
        if (r.nAssigned == 0) {
            nWrites--; // only relative changes (c = c + 1): atomic, nothing to lose
        }
        if (logValues) {
            r.shown = shown(f, s.keyEqualities());
        }
    }

    /** An inserted NULL's hash. */
    private static final long EXPRESSION = 0x7f4a_7c15_9e37_79b9L;

    /**
     * A value's hash, the same for the same value however it was bound: an integral number (Long 7, Integer 7,
     * BigDecimal 7.0, the string "7") hashes alike.
     */
    /** A key value's hash: as {@link #hash}, but a NULL key matches no row, so its hash equals no other. */
    static long keyHash(Object v) {
        return v == null ? EXPRESSION ^ System.nanoTime() : hash(v);
    }

    static long hash(Object v) {
        if (v == null) {
            return EXPRESSION; // two children both left NULL in a column are alike in it
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return mix(((Number) v).longValue());
        }
        if (v instanceof BigInteger && ((BigInteger) v).bitLength() < 64) {
            return mix(((BigInteger) v).longValue());
        }
        if (v instanceof BigDecimal) {
            BigDecimal d = ((BigDecimal) v).stripTrailingZeros();
            return d.scale() <= 0 && d.precision() - d.scale() < 19 ? mix(d.longValueExact()) : mix(d.toString().hashCode());
        }
        if (v instanceof Boolean) {
            return mix((Boolean) v ? 1 : 0);
        }
        if (v instanceof byte[]) {
            return mix(Arrays.hashCode((byte[]) v)) ^ 0x5555;
        }
        String s = v.toString();
        if (!s.isEmpty() && s.length() < 19 && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-')) {
            try {
                return mix(Long.parseLong(s));
            } catch (NumberFormatException notIntegral) {
                // a string it is
            }
        }
        return mix(s.hashCode()) ^ ((long) s.length() << 32);
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }

    private static String shown(ExecutionFact f, List<Structure.Equality> key) {
        StringBuilder sb = new StringBuilder();
        for (Structure.Equality e : key) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.column()).append('=').append(f.slotValue(e.slot()));
        }
        return sb.toString();
    }

    /** An immutable copy for the comparison on the guard's thread. */
    RaceWindow.Done done(long endMillis, String database) {
        List<RaceWindow.Entry> r = new ArrayList<>(nReads);
        for (int i = 0; i < nReads; i++) {
            r.add(RaceWindow.Entry.of(reads[i]));
        }
        List<RaceWindow.Entry> w = new ArrayList<>(nWrites);
        for (int i = 0; i < nWrites; i++) {
            w.add(RaceWindow.Entry.of(writes[i]));
        }
        return new RaceWindow.Done(thread, startNanos, lastNanos, endMillis, committed, r, w, database);
    }
}
