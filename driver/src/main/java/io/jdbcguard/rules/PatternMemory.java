package io.jdbcguard.rules;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * What each application thread did recently that can open a pattern ({@link ThreadMemory}), for one
 * guard. The thread-local value is a one-slot array of the JDK's, and closing the guard empties every
 * thread's slot: a thread that outlives the guard (a pool's, an application server's) keeps no object
 * of the guard's and so no hold on its class loader.
 */
final class PatternMemory {

    private final Map<Thread, Object[]> slots = new WeakHashMap<>();
    private final ThreadLocal<Object[]> slot = ThreadLocal.withInitial(this::newSlot);
    private volatile boolean closed;

    private Object[] newSlot() {
        Object[] s = new Object[1];
        synchronized (slots) {
            if (!closed) {
                slots.put(Thread.currentThread(), s);
            }
        }
        return s;
    }

    /** The calling thread's memory (a throw-away one once the guard is closed). */
    ThreadMemory current() {
        Object[] s = slot.get();
        ThreadMemory m = (ThreadMemory) s[0];
        if (m == null) {
            m = new ThreadMemory();
            if (!closed) {
                s[0] = m;
            }
        }
        return m;
    }

    /** Forgets what the calling thread did (a new test must not complete an old test's check). */
    void forgetCurrentThread() {
        slot.get()[0] = null;
    }

    /** Empties every thread's slot and forgets the threads. */
    void close() {
        closed = true;
        synchronized (slots) {
            for (Object[] s : slots.values()) {
                s[0] = null;
            }
            slots.clear();
        }
        slot.remove();
    }

    /** Threads whose slot holds a memory now (for the redeploy test). */
    int threadsHeld() {
        synchronized (slots) {
            int n = 0;
            for (Object[] s : slots.values()) {
                n += s[0] != null ? 1 : 0;
            }
            return n;
        }
    }
}
