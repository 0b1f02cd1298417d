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
 * Delivers facts to the listeners of the JVM. The listener set is copy-on-write: publishing reads one
 * volatile array and a bit mask, takes no lock and allocates nothing when no listener wants a kind.
 */
public final class FactBus {

    private static volatile FactListener[] listeners = new FactListener[0];
    /** Parallel to {@link #listeners}: each one's kinds as a bit mask. */
    private static volatile int[] listenerMasks = new int[0];
    private static volatile int[] listenerFailureMasks = new int[0];
    private static volatile int kindMask;
    private static volatile int failureMask;

    private FactBus() {
    }

    /**
     * Adds a listener; the returned handle removes it. The guard's rules register here; tests and
     * extensions may too.
     */
    public static synchronized Registration register(FactListener listener) {
        List<FactListener> l = new ArrayList<>(Arrays.asList(listeners));
        l.add(listener);
        update(l);
        return () -> unregister(listener);
    }

    private static synchronized void unregister(FactListener listener) {
        List<FactListener> l = new ArrayList<>(Arrays.asList(listeners));
        l.remove(listener);
        update(l);
    }

    private static void update(List<FactListener> l) {
        int mask = 0;
        int failures = 0;
        int[] masks = new int[l.size()];
        int[] fmasks = new int[l.size()];
        for (int i = 0; i < masks.length; i++) {
            for (StatementKind k : l.get(i).kinds()) {
                masks[i] |= 1 << k.ordinal();
            }
            for (StatementKind k : l.get(i).failureKinds()) {
                fmasks[i] |= 1 << k.ordinal();
            }
            mask |= masks[i];
            failures |= fmasks[i] | masks[i];
        }
        listenerMasks = masks;
        listenerFailureMasks = fmasks;
        listeners = l.toArray(new FactListener[0]);
        kindMask = mask;
        failureMask = failures;
    }

    /** Whether any listener wants executions of this kind. */
    public static boolean wants(StatementKind kind) {
        return (kindMask & (1 << kind.ordinal())) != 0;
    }

    /** Whether any listener reads failed executions of this kind. */
    public static boolean wantsFailure(StatementKind kind) {
        return (failureMask & (1 << kind.ordinal())) != 0;
    }

    /** Whether any listener is registered at all. */
    public static boolean active() {
        return listeners.length > 0;
    }

    /** Whether any listener wants to see this statement before it runs. */
    public static boolean wantsBefore(SqlShape shape) {
        for (FactListener l : listeners) {
            try {
                if (l.wantsBefore(shape)) {
                    return true;
                }
            } catch (Throwable t) {
                InternalErrors.record("listener " + l.getClass().getName() + ".wantsBefore", t);
            }
        }
        return false;
    }

    /**
     * Shows a statement about to run to the listeners that want it, in one pass, and returns the SQL the
     * first of them asks to run instead for this execution, or {@code null}. Throws only an
     * {@link UnsafePatternException} a listener raised to refuse it (strict mode).
     */
    public static String beforeExecution(ExecutionFact planned) throws UnsafePatternException {
        String rewrite = null;
        for (FactListener l : listeners) {
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

    /** Builds a fact and delivers it to each listener of its kind; never throws. */
    public static void publish(ConnectionInfo connection, long transactionId, boolean inTransaction, boolean autoCommit,
                               Isolation isolation, String sql, SqlShape shape, Object[] params, int batchIndex,
                               Outcome outcome, long startNanos, long endNanos) {
        ExecutionFact fact = new ExecutionFact(connection, transactionId, inTransaction, autoCommit, isolation, sql,
                shape, params, batchIndex, outcome, startNanos, endNanos, Thread.currentThread());
        int bit = 1 << shape.kind().ordinal();
        FactListener[] ls = listeners;
        int[] masks = listenerMasks;
        int[] fmasks = listenerFailureMasks;
        boolean failed = outcome.type() == Outcome.Type.FAILED;
        for (int i = 0; i < ls.length && i < masks.length && i < fmasks.length; i++) {
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
    public static void beforeIsolationChange(ConnectionInfo connection, Isolation level) throws UnsafePatternException {
        for (FactListener l : listeners) {
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
    public static void connectionOpened(ConnectionInfo connection) {
        for (FactListener l : listeners) {
            try {
                l.onConnectionOpened(connection);
            } catch (Throwable t) {
                InternalErrors.record("listener " + l.getClass().getName() + ".onConnectionOpened", t);
            }
        }
    }

    /** Delivers a transaction end to every listener; never throws. */
    public static void transactionEnded(TransactionEvent event) {
        for (FactListener l : listeners) {
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
