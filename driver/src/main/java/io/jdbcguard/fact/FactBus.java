package io.jdbcguard.fact;

import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.internal.InternalErrors;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Delivers one guard's facts to its listeners. Each update of the listener set publishes one immutable
 * snapshot (the listeners and their kind masks together), so publishing reads one volatile field,
 * takes no lock and allocates nothing when no listener wants a kind.
 */
public final class FactBus {

    /** The listeners and their interests, replaced as a whole on every change. */
    private static final class Snapshot {
        final FactListener[] listeners;
        final int[] masks;
        final int[] failureMasks;
        /** Per listener: the kinds it may want to see before they run. */
        final int[] beforeMasks;
        /** The listeners that read transaction ends (override {@link FactListener#onTransactionEnd}). */
        final FactListener[] transactionReaders;

        Snapshot(List<FactListener> l) {
            listeners = l.toArray(new FactListener[0]);
            masks = new int[listeners.length];
            failureMasks = new int[listeners.length];
            beforeMasks = new int[listeners.length];
            for (int i = 0; i < listeners.length; i++) {
                for (StatementKind k : listeners[i].kinds()) {
                    masks[i] |= 1 << k.ordinal();
                }
                for (StatementKind k : listeners[i].failureKinds()) {
                    failureMasks[i] |= 1 << k.ordinal();
                }
                // A listener that never answers wantsBefore wants nothing before it runs, whatever its
                // beforeKinds say: otherwise every kind's bound values would be kept (and boxed) for nothing.
                if (overrides(listeners[i], "wantsBefore", SqlShape.class)) {
                    for (StatementKind k : listeners[i].beforeKinds()) {
                        beforeMasks[i] |= 1 << k.ordinal();
                    }
                }
            }
            List<FactListener> readers = new ArrayList<>();
            for (FactListener listener : listeners) {
                if (overrides(listener, "onTransactionEnd", TransactionEvent.class)) {
                    readers.add(listener);
                }
            }
            transactionReaders = readers.toArray(new FactListener[0]);
        }
    }

    private volatile Snapshot snapshot = new Snapshot(List.of());

    /** Whether the listener's class (or a superclass) implements the method, rather than the interface's default. */
    private static boolean overrides(FactListener l, String method, Class<?>... parameters) {
        try {
            return l.getClass().getMethod(method, parameters).getDeclaringClass() != FactListener.class;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }

    /** Whether any listener reads transaction ends: when none does, no event is made. */
    public boolean readsTransactionEnds() {
        return snapshot.transactionReaders.length > 0;
    }

    /** Adds a listener; the returned handle removes it. */
    public synchronized Registration register(FactListener listener) {
        List<FactListener> l = new ArrayList<>(Arrays.asList(snapshot.listeners));
        l.add(listener);
        snapshot = new Snapshot(l);
        return () -> unregister(listener);
    }

    private synchronized void unregister(FactListener listener) {
        List<FactListener> l = new ArrayList<>(Arrays.asList(snapshot.listeners));
        l.remove(listener);
        snapshot = new Snapshot(l);
    }

    /**
     * The present listener set, as a token that changes whenever a listener is added or removed: what a
     * statement decided from the listeners' interests holds while the token is the same.
     */
    public Object version() {
        return snapshot;
    }

    /**
     * What the listeners active on a connection of this configuration read, as kind masks (bit
     * {@code 1 << kind.ordinal()}): executions, failed executions, statements before they run; and which
     * listeners are active, by index (bit {@code 1 << i} for the first {@link #INDEXED} listeners, every later
     * one counting as active): only these are asked before a statement runs; and the kinds read outside
     * transactions too (not only by {@link FactListener#onlyInTransactions} listeners). Valid while
     * {@link #version()} is the same.
     */
    public int[] masks(io.jdbcguard.config.GuardConfig config) {
        Snapshot s = snapshot;
        int kinds = 0;
        int failures = 0;
        int before = 0;
        int activeListeners = 0;
        int outside = 0;
        for (int i = 0; i < s.listeners.length; i++) {
            boolean active;
            try {
                active = s.listeners[i].activeFor(config);
            } catch (Throwable t) {
                InternalErrors.record("listener " + s.listeners[i].getClass().getName() + ".activeFor", t);
                active = true;
            }
            if (active) {
                kinds |= s.masks[i];
                if (!onlyInTransactions(s.listeners[i])) {
                    outside |= s.masks[i];
                }
                failures |= s.failureMasks[i] | s.masks[i];
                before |= s.beforeMasks[i];
                if (i < INDEXED) {
                    activeListeners |= 1 << i;
                }
            }
        }
        return new int[] {kinds, failures, before, activeListeners, outside};
    }

    /** Whether any listener is registered at all. */
    public boolean active() {
        return snapshot.listeners.length > 0;
    }

    private static boolean onlyInTransactions(FactListener l) {
        try {
            return l.onlyInTransactions();
        } catch (Throwable t) {
            InternalErrors.record("listener " + l.getClass().getName() + ".onlyInTransactions", t);
            return false;
        }
    }

    /** Listeners known by index in {@link #masks}' set of active ones; any later one counts as active. */
    static final int INDEXED = 31;

    /** Whether any listener wants to see this statement before it runs. */
    public boolean wantsBefore(SqlShape shape) {
        return wantsBefore(shape, -1);
    }

    /**
     * Whether any of the given listeners ({@link #masks}' active set for the connection's configuration) wants
     * to see this statement before it runs: a listener inactive there is not asked.
     */
    public boolean wantsBefore(SqlShape shape, int activeListeners) {
        Snapshot s = snapshot;
        int bit = 1 << shape.kind().ordinal();
        for (int i = 0; i < s.listeners.length; i++) {
            if ((s.beforeMasks[i] & bit) == 0 || i < INDEXED && (activeListeners & (1 << i)) == 0) {
                continue;
            }
            try {
                if (s.listeners[i].wantsBefore(shape)) {
                    return true;
                }
            } catch (Throwable t) {
                InternalErrors.record("listener " + s.listeners[i].getClass().getName() + ".wantsBefore", t);
            }
        }
        return false;
    }

    /**
     * Shows a statement about to run to the listeners that want it, in one pass, and returns the SQL the
     * first of them asks to run instead for this execution, or {@code null}. Throws only an
     * {@link UnsafePatternException} a listener raised to refuse it (strict mode).
     */
    public String beforeExecution(ExecutionFact planned) throws UnsafePatternException {
        return beforeExecution(planned, -1);
    }

    /** The same, asking only the given listeners ({@link #masks}' active set for the connection's configuration). */
    public String beforeExecution(ExecutionFact planned, int activeListeners) throws UnsafePatternException {
        String rewrite = null;
        Snapshot s = snapshot;
        int bit = 1 << planned.shape().kind().ordinal();
        for (int i = 0; i < s.listeners.length; i++) {
            FactListener l = s.listeners[i];
            if ((s.beforeMasks[i] & bit) == 0 || i < INDEXED && (activeListeners & (1 << i)) == 0) {
                continue;
            }
            try {
                if (l.wantsBefore(planned.shape())) {
                    String r = l.beforeExecution(planned);
                    if (rewrite == null) {
                        rewrite = r;
                    }
                }
            } catch (UnsafePatternException e) {
                throw e;
            } catch (Throwable t) {
                InternalErrors.record("listener " + l.getClass().getName() + ".beforeExecution", t);
            }
        }
        return rewrite;
    }

    /** Builds the fact of a statement about to run. */
    public static ExecutionFact planned(ConnectionInfo connection, long transactionId, boolean inTransaction,
                                        boolean autoCommit, Isolation isolation, String sql, SqlShape shape,
                                        Object[] params, int batchIndex, long startNanos) {
        return new ExecutionFact(connection, transactionId, inTransaction, autoCommit, isolation, sql, shape,
                params, batchIndex, Outcome.PENDING, startNanos, startNanos, Thread.currentThread());
    }

    /**
     * The fact of a statement being handed to the driver, completed later by {@link #ended} and
     * {@link #publish}; its params are the caller's to give away (a copy, if it keeps binding).
     */
    public static ExecutionFact running(ConnectionInfo connection, long transactionId, boolean inTransaction,
                                        boolean autoCommit, Isolation isolation, String sql, SqlShape shape,
                                        Object[] params, int batchIndex) {
        return new ExecutionFact(connection, transactionId, inTransaction, autoCommit, isolation, sql, shape, params,
                batchIndex, Outcome.PENDING, 0, 0, null);
    }

    /** The driver returned from a running execution: its end time, read once. */
    public static void ended(ExecutionFact running) {
        running.ended();
    }

    /** Completes a running execution with its outcome and delivers it to each listener of its kind; never throws. */
    public void publish(ExecutionFact fact, Outcome outcome) {
        fact.complete(outcome);
        int bit = 1 << fact.shape().kind().ordinal();
        Snapshot s = snapshot;
        FactListener[] ls = s.listeners;
        int[] masks = s.masks;
        int[] fmasks = s.failureMasks;
        boolean failed = outcome.type() == Outcome.Type.FAILED;
        for (int i = 0; i < ls.length; i++) {
            if ((masks[i] & bit) == 0 && !(failed && (fmasks[i] & bit) != 0)) {
                continue;
            }
            try {
                ls[i].onExecution(fact);
            } catch (Throwable t) {
                InternalErrors.record("listener " + ls[i].getClass().getName() + ".onExecution", t);
            }
        }
    }

    /** Shows a JDBC isolation choice to every listener; throws only the UnsafePatternException of strict mode. */
    public void beforeIsolationChange(ConnectionInfo connection, Isolation level) throws UnsafePatternException {
        for (FactListener l : snapshot.listeners) {
            try {
                l.beforeIsolationChange(connection, level);
            } catch (UnsafePatternException e) {
                throw e;
            } catch (Throwable t) {
                InternalErrors.record("listener " + l.getClass().getName() + ".beforeIsolationChange", t);
            }
        }
    }

    /** Tells every listener a connection was opened; never throws. */
    public void connectionOpened(ConnectionInfo connection) {
        for (FactListener l : snapshot.listeners) {
            try {
                l.onConnectionOpened(connection);
            } catch (Throwable t) {
                InternalErrors.record("listener " + l.getClass().getName() + ".onConnectionOpened", t);
            }
        }
    }

    /** Delivers a transaction end to every listener; never throws. */
    public void transactionEnded(TransactionEvent event) {
        for (FactListener l : snapshot.transactionReaders) {
            try {
                l.onTransactionEnd(event);
            } catch (Throwable t) {
                InternalErrors.record("listener " + l.getClass().getName() + ".onTransactionEnd", t);
            }
        }
    }

    /** Removes a listener. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
