package io.jdbcguard.rules;

import io.jdbcguard.Finding;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.sql.Structure;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The recent transactions that overlapped another, and what really happened between two of them (both
 * ended; different threads; each read before the other ended):
 * <ul>
 * <li>{@code lost-update}: both read one row by key, both then updated a column of it by that key (an absolute
 *     value), both committed: the first commit's value is gone;</li>
 * <li>{@code duplicate-insert}: both checked one key and found nothing, both inserted it, both committed (or one
 *     did and the other's insert failed with a duplicate key: the same race, lost);</li>
 * <li>{@code duplicate-child}: both read a parent's children (a collection fetched with the parent, or a read of
 *     the child table by the link), then each inserted a child of that parent, the two equal in every column
 *     both inserted besides the link and the id, and both committed.</li>
 * </ul>
 * Bounded: the last {@link #SIZE} transactions, each bounded ({@link ObservedTx#ROWS}). Used on the guard's
 * threads only, one transaction at a time.
 */
final class RaceWindow {

    static final int SIZE = 128;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final Reporter reporter;
    private final java.util.function.Predicate<StackTraceElement> flushedAtCommit;
    private final Done[] ring = new Done[SIZE];
    private int next;

    RaceWindow(Reporter reporter, java.util.function.Predicate<StackTraceElement> flushedAtCommit) {
        this.reporter = reporter;
        this.flushedAtCommit = flushedAtCommit;
    }

    /** A write's site as a finding names it: where the ORM flushed it at commit, said so. */
    private String written(StackTraceElement site) {
        return flushedAtCommit.test(site) ? site + " (written when its transaction committed)" : String.valueOf(site);
    }

    /** One noted row, frozen. */
    record Entry(Structure.TableName table, String[] cols, long[] vals, boolean found, boolean duplicate,
                 List<Structure.Collection> collections, String[] assigned, long nanos, StackTraceElement site,
                 String sql, String shown) {

        static Entry of(ObservedTx.Row r) {
            return new Entry(r.table, Arrays.copyOf(r.cols, r.n), Arrays.copyOf(r.vals, r.n), r.found, r.duplicate,
                    r.collections, Arrays.copyOf(r.assigned, r.nAssigned), r.nanos, r.site, r.sql, r.shown);
        }

        /** The value hashed for a column, or {@code null}. */
        Long value(String col) {
            for (int i = 0; i < cols.length; i++) {
                if (cols[i].equals(col)) {
                    return vals[i];
                }
            }
            return null;
        }

        boolean sameKey(Entry o) {
            if (!Patterns.sameTable(table, o.table) || cols.length != o.cols.length || cols.length == 0) {
                return false;
            }
            for (int i = 0; i < cols.length; i++) {
                Long v = o.value(cols[i]);
                if (v == null || v != vals[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * One ended transaction that overlapped another. {@code endNanos} is when its last noted statement returned,
     * not its COMMIT, which the guard sees only after the server released its locks: a read that waited for those
     * locks returns before it.
     */
    record Done(String thread, long startNanos, long endNanos, long endMillis, boolean committed, List<Entry> reads,
                List<Entry> writes, String database) {

        String when() {
            long startMillis = System.currentTimeMillis() - (System.nanoTime() - startNanos) / 1_000_000;
            return thread + ", " + TIME.format(Instant.ofEpochMilli(startMillis)) + "–"
                    + TIME.format(Instant.ofEpochMilli(endMillis));
        }
    }

    /** A transaction ended: compared with each recent one it overlapped, then kept. */
    synchronized void ended(Done t) {
        for (Done u : ring) {
            if (u != null && !u.thread.equals(t.thread) && u.endNanos > t.startNanos && t.endNanos > u.startNanos) {
                compare(u, t);
            }
        }
        ring[next] = t;
        next = (next + 1) % SIZE;
    }

    /** {@code a} ended before {@code b}. */
    private void compare(Done a, Done b) {
        List<Structure.TableName> duplicated = new ArrayList<>(1);
        if (a.committed && b.committed) {
            lostUpdate(a, b);
        }
        if (a.committed) {
            duplicateInsert(a, b, duplicated); // b committed too, or lost on the duplicate key
        } else if (b.committed) {
            duplicateInsert(b, a, duplicated);
        }
        if (a.committed && b.committed) {
            duplicateChild(a, b, duplicated);
        }
    }

    private static boolean before(Entry read, Done other) {
        return read.nanos < other.endNanos;
    }

    private void lostUpdate(Done a, Done b) {
        for (Entry ra : a.reads) {
            if (!ra.found || !before(ra, b)) {
                continue;
            }
            Entry ua = writeOf(a, ra);
            if (ua == null) {
                continue;
            }
            for (Entry rb : b.reads) {
                if (!rb.found || !rb.sameKey(ra) || !before(rb, a)) {
                    continue;
                }
                Entry ub = writeOf(b, rb);
                if (ub != null && intersects(ua.assigned, ub.assigned)) {
                    report("lost-update", a, ra, ua, b, rb, ub, common(ua.assigned, ub.assigned),
                            () -> "both read the row " + key(ra) + " without a lock, both wrote "
                                    + String.join(", ", common(ua.assigned, ub.assigned)) + " of it, and both committed:"
                                    + " the first transaction's write is lost",
                            () -> "make the later write see the earlier one: @Version on the entity (optimistic locking, the"
                                    + " loser retries), or read the row with SELECT … FOR UPDATE (@Lock(PESSIMISTIC_WRITE))"
                                    + " in the transaction that writes it, or write relative values (c = c + ?)");
                    return;
                }
            }
        }
    }

    /** The update of the row a read read, after it. */
    private static Entry writeOf(Done t, Entry read) {
        for (Entry w : t.writes) {
            if (w.assigned.length > 0 && w.nanos >= read.nanos && w.sameKey(read)) {
                return w;
            }
        }
        return null;
    }

    private void duplicateInsert(Done a, Done b, List<Structure.TableName> duplicated) {
        if (!a.committed) {
            return; // the winner must have committed; the loser may have failed on the duplicate key
        }
        for (Entry ca : a.reads) {
            if (ca.found || !before(ca, b)) {
                continue;
            }
            Entry ia = insertOf(a, ca, false);
            if (ia == null) {
                continue;
            }
            for (Entry cb : b.reads) {
                if (cb.found || !cb.sameKey(ca) || !before(cb, a)) {
                    continue;
                }
                Entry ib = insertOf(b, cb, true);
                if (ib != null && (b.committed || ib.duplicate)) {
                    duplicated.add(ca.table);
                    report("duplicate-insert", a, ca, ia, b, cb, ib, Arrays.asList(ca.cols),
                            () -> "both checked " + key(ca) + ", found nothing and inserted it"
                                    + (ib.duplicate ? "; the second insert failed with a duplicate key, which is this"
                                    + " race, lost" : ", and both committed: the table has the key twice"),
                            () -> "add a UNIQUE index on (" + String.join(", ", ca.cols) + ") if there is none, insert first"
                                    + " and treat the duplicate-key error as \"already there\" (or an upsert: INSERT … ON"
                                    + " DUPLICATE KEY UPDATE on MySQL/MariaDB, INSERT … ON CONFLICT DO NOTHING on PostgreSQL)");
                    return;
                }
            }
        }
    }

    /** The insert that wrote the key a check did not find. */
    private static Entry insertOf(Done t, Entry check, boolean failedToo) {
        for (Entry w : t.writes) {
            if (w.assigned.length == 0 && (failedToo || !w.duplicate) && Patterns.sameTable(w.table, check.table)
                    && w.nanos >= check.nanos) {
                boolean all = true;
                for (int i = 0; i < check.cols.length && all; i++) {
                    Long v = w.value(check.cols[i]);
                    all = v != null && v == check.vals[i];
                }
                if (all) {
                    return w;
                }
            }
        }
        return null;
    }

    /** A read of a parent's children: the child table, its link column, the parent's key value. */
    private record Children(Structure.TableName table, String link, long parent, Entry read) {
    }

    private static List<Children> children(Done t) {
        List<Children> out = new ArrayList<>(2);
        for (Entry r : t.reads) {
            if (r.cols.length != 1) {
                continue;
            }
            if (r.collections != null) {
                for (Structure.Collection c : r.collections) {
                    if (c.linkColumns().size() == 1) {
                        out.add(new Children(c.table(), c.linkColumns().iterator().next(), r.vals[0], r));
                    }
                }
            }
            out.add(new Children(r.table, r.cols[0], r.vals[0], r)); // the child table read by its link
        }
        return out;
    }

    private void duplicateChild(Done a, Done b, List<Structure.TableName> duplicated) {
        for (Children ka : children(a)) {
            if (!before(ka.read, b) || duplicated.stream().anyMatch(t -> Patterns.sameTable(t, ka.table))) {
                continue;
            }
            Entry ia = childOf(a, ka);
            if (ia == null) {
                continue;
            }
            for (Children kb : children(b)) {
                if (!Patterns.sameTable(ka.table, kb.table) || !ka.link.equals(kb.link) || ka.parent != kb.parent
                        || !before(kb.read, a)) {
                    continue;
                }
                Entry ib = childOf(b, kb);
                List<String> equal = ib == null ? null : equalColumns(ia, ib, ka.link);
                if (equal != null) {
                    report("duplicate-child", a, ka.read, ia, b, kb.read, ib, equal,
                            () -> "both read the " + ka.table + " of " + key(ka.read) + ", then each"
                                    + " inserted one with equal " + String.join(", ", equal) + ", and both committed: a check"
                                    + " done in the application over the children it loaded let both through",
                            () -> "lock the parent row while checking its children (SELECT … FOR UPDATE, or"
                                    + " @Lock(PESSIMISTIC_WRITE) on the parent's finder), or put a UNIQUE index on ("
                                    + ka.link + ", " + String.join(", ", equal) + ") and treat the duplicate-key error as"
                                    + " \"already there\", or @Version on the parent with an increment when a child is"
                                    + " added (OPTIMISTIC_FORCE_INCREMENT)");
                    return;
                }
            }
        }
    }

    private static Entry childOf(Done t, Children k) {
        for (Entry w : t.writes) {
            if (w.assigned.length == 0 && !w.duplicate && Patterns.sameTable(w.table, k.table) && w.nanos >= k.read.nanos) {
                Long link = w.value(k.link);
                if (link != null && link == k.parent) {
                    return w;
                }
            }
        }
        return null;
    }

    /** The columns both rows inserted besides the link and the id, if there are any and all are equal. */
    private static List<String> equalColumns(Entry x, Entry y, String link) {
        List<String> equal = new ArrayList<>();
        for (int i = 0; i < x.cols.length; i++) {
            String c = x.cols[i];
            if (c.equals(link) || c.equals("id")) {
                continue;
            }
            Long v = y.value(c);
            if (v == null) {
                continue;
            }
            if (v != x.vals[i]) {
                return null;
            }
            equal.add(c);
        }
        return equal.isEmpty() ? null : equal;
    }

    private static boolean intersects(String[] x, String[] y) {
        return !common(x, y).isEmpty();
    }

    private static List<String> common(String[] x, String[] y) {
        List<String> out = new ArrayList<>();
        for (String a : x) {
            for (String b : y) {
                if (a.equals(b) && !out.contains(a)) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static String key(Entry r) {
        return r.table + "(" + (r.shown != null ? r.shown : String.join(" = ?, ", r.cols) + " = ?") + ")";
    }

    private void report(String race, Done a, Entry readA, Entry writeA, Done b, Entry readB, Entry writeB,
                        List<String> columns, java.util.function.Supplier<String> what,
                        java.util.function.Supplier<String> fix) {
        // One place per pair of places: both transactions' sites, in a fixed order.
        List<Object> sa = Arrays.asList(readA.site, writeA.site);
        List<Object> sb = Arrays.asList(readB.site, writeB.site);
        Object place = String.valueOf(sa).compareTo(String.valueOf(sb)) <= 0
                ? Arrays.asList(race, writeA.table, sa, sb) : Arrays.asList(race, writeA.table, sb, sa);
        // Built only for a place's first occurrence: under load every further pair is only counted.
        reporter.occurred(RuleId.OBSERVED_RACE, place, () -> Findings.of(b.database(), RuleId.OBSERVED_RACE, Finding.Level.ERROR,
                "[observed-race] " + race + ": " + writeA.table + "(" + String.join(", ", columns) + "): two"
                        + " transactions that overlapped " + what.get() + ". One (" + a.when() + ") read at " + readA.site
                        + " and wrote at " + written(writeA.site) + "; the other (" + b.when() + ") read at "
                        + readB.site + " and wrote at " + written(writeB.site) + ". This happened; it is not a pattern"
                        + " that could. Fix: " + fix.get() + ".",
                writeA.table.toString(), columns, readB.site, writeB.site, null, writeB.sql, readB.sql),
                b.thread, b.endMillis);
    }
}
