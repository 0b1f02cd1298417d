package io.jdbcguard.rules;

import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.sql.Structure;
import java.util.List;

/**
 * What one application thread did recently that can open a pattern: bounded (a ring of the last
 * {@link #OPENERS} openers, a few lock marks), held in a ThreadLocal so it goes away with the thread.
 * Only its own thread touches it.
 */
final class ThreadMemory {

    static final int OPENERS = 16;

    /**
     * The INSERT the guard last ran inside a savepoint on this thread ({@code duplicate-aborts-transaction}),
     * until the thread's next INSERT is planned: a duplicate key on it was repaired.
     */
    ExecutionFact savepointed;
    private static final int LOCKS = 8;

    /** A statement that can open a pattern. */
    static final class Opener {
        final ExecutionFact fact;
        /**
         * Its call site: walked for this execution, or standing in from earlier ones (see {@link #walked}):
         * its SQL's one place, or {@link CallSiteSampler#SEVERAL}, settled when a pattern completes.
         */
        StackTraceElement site;
        /** Whether {@link #site} was walked for this very execution (else it stands in from an earlier one). */
        final boolean walked;
        /** A check that found nothing (else a read that found one row). */
        final boolean check;
        /** Its transaction already held an exclusive lock when it ran. */
        final boolean afterExclusiveLock;
        /** Its connection held a session lock (LOCK TABLES, GET_LOCK) when it ran. */
        final boolean underSessionLock;
        /** A locking read ({@code FOR UPDATE}, {@code FOR SHARE}, {@code LOCK IN SHARE MODE}) that found no row. */
        final boolean locking;

        Opener(ExecutionFact fact, StackTraceElement site, boolean walked, boolean check, boolean afterExclusiveLock,
               boolean underSessionLock, boolean locking) {
            this.fact = fact;
            this.site = site;
            this.walked = walked;
            this.check = check;
            this.afterExclusiveLock = afterExclusiveLock;
            this.underSessionLock = underSessionLock;
            this.locking = locking;
        }
    }

    /**
     * An INSERT that matched a check except for key columns it left out, waiting for the
     * {@code UPDATE T SET fk = ? WHERE id = ?} that sets them (JPA's unidirectional one-to-many).
     */
    static final class PartialInsert {
        final Opener check;
        final ExecutionFact insert;
        final List<String> missing;

        PartialInsert(Opener check, ExecutionFact insert, List<String> missing) {
            this.check = check;
            this.insert = insert;
            this.missing = missing;
        }
    }

    private static final int PARTIALS = 4;
    final PartialInsert[] partials = new PartialInsert[PARTIALS];
    private int partialNext;
    int partialCount;

    void addPartial(PartialInsert p) {
        if (partials[partialNext] == null) {
            partialCount++;
        }
        partials[partialNext] = p;
        partialNext = (partialNext + 1) % PARTIALS;
    }

    void removePartial(int i) {
        if (partials[i] != null) {
            partials[i] = null;
            partialCount--;
        }
    }

    /** A pattern this thread reported, and the place it was counted at: the shortcut of {@link Patterns}. */
    record LastReport(io.jdbcguard.config.RuleId rule, Object table, List<String> columns, StackTraceElement checkSite,
                      StackTraceElement writeSite, Reporter.Place place) {

        /** The same pattern at the same place: sites that stood in are the very same objects. */
        boolean same(io.jdbcguard.config.RuleId r, Object t, List<String> cols, StackTraceElement check,
                     StackTraceElement write) {
            return rule == r && table == t && checkSite == check && writeSite == write && columns.equals(cols);
        }
    }

    /** The last pattern this thread reported, or {@code null}. */
    LastReport lastReport;

    /** The tables this thread's current transaction locked, in order ({@link LockOrderRule}), or {@code null}. */
    LockOrderRule.Sequence lockSequence;

    /** This thread's current transaction as the observed races note it, or {@code null}. */
    ObservedTx observedTx;

    final Opener[] openers = new Opener[OPENERS];
    private int next;

    private final long[] lockConnection = new long[LOCKS];
    private final long[] lockTransaction = new long[LOCKS];
    private int lockNext;


    /**
     * A transaction that hit a duplicate key under REPEATABLE READ: the table (schema-qualified when the
     * INSERT qualified it), the violated key's name as the server gave it ({@code null} if not given), the
     * columns the failed INSERT named, and its site.
     */
    record Stale(long connection, long transaction, Structure.TableName table, String keyName,
                 List<String> insertColumns, StackTraceElement site) {
    }

    private final Stale[] stale = new Stale[LOCKS];
    private int staleNext;
    int staleCount;

    void stale(Stale entry) {
        for (Stale e : stale) {
            if (e != null && e.connection == entry.connection && e.transaction == entry.transaction
                    && e.table.equals(entry.table)) {
                return;
            }
        }
        if (stale[staleNext] == null) {
            staleCount++;
        }
        stale[staleNext] = entry;
        staleNext = (staleNext + 1) % LOCKS;
    }

    /**
     * This transaction's duplicate key on a table of the name the read names, in the read's schema, or
     * {@code null}. A name qualified on one side only is compared in the connection's current schema,
     * asked of the driver only then.
     */
    Stale staleFor(long connection, long transaction, Structure.TableName read,
                   java.util.function.Supplier<String> currentSchema) {
        for (Stale e : stale) {
            if (e != null && e.connection == connection && e.transaction == transaction
                    && e.table.name().equals(read.name()) && sameSchema(e.table.schema(), read.schema(), currentSchema)) {
                return e;
            }
        }
        return null;
    }

    private static boolean sameSchema(String a, String b, java.util.function.Supplier<String> current) {
        if (a == null && b == null) {
            return true;
        }
        if (a != null && b != null) {
            return a.equals(b);
        }
        String c = current.get();
        return c != null && c.toLowerCase(java.util.Locale.ROOT).equals(a != null ? a : b);
    }

    void transactionEnded(long connection, long transaction) {
        for (int i = 0; i < LOCKS; i++) {
            Stale e = stale[i];
            if (e != null && e.connection == connection && e.transaction == transaction) {
                stale[i] = null;
                staleCount--;
            }
        }
    }

    void add(Opener o) {
        openers[next] = o;
        next = (next + 1) % OPENERS;
    }

    void remove(Opener o) {
        for (int i = 0; i < OPENERS; i++) {
            if (openers[i] == o) {
                openers[i] = null;
            }
        }
    }

    /** Newest first. */
    Opener opener(int age) {
        return openers[(next - 1 - age) & (OPENERS - 1)]; // OPENERS is a power of two
    }

    void exclusiveLock(long connection, long transaction) {
        if (!exclusiveLocked(connection, transaction)) {
            lockConnection[lockNext] = connection;
            lockTransaction[lockNext] = transaction + 1; // 0 marks an empty slot
            lockNext = (lockNext + 1) % LOCKS;
        }
    }

    boolean exclusiveLocked(long connection, long transaction) {
        for (int i = 0; i < LOCKS; i++) {
            if (lockConnection[i] == connection && lockTransaction[i] == transaction + 1) {
                return true;
            }
        }
        return false;
    }

}
