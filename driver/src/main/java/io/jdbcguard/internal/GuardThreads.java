package io.jdbcguard.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One guard's background threads (daemon, named {@code jdbc-guard-*}): reads of the server on the
 * guard's own connections, findings settled after the application's statement returned. A task never
 * lets an exception or error kill its thread: it is caught, logged once and counted. Closing the guard
 * stops them.
 */
public final class GuardThreads {

    private final ThreadPoolExecutor pool;
    private final AtomicInteger extra = new AtomicInteger();

    public GuardThreads(String name) {
        pool = new ThreadPoolExecutor(0, 4, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "jdbc-guard-" + name);
            t.setDaemon(true);
            return t;
        }, (r, e) -> {
            if (!e.isShutdown()) {
                // All four busy: run on a fresh daemon thread rather than on the application's.
                Thread t = new Thread(r, "jdbc-guard-" + name + "-extra-" + extra.incrementAndGet());
                t.setDaemon(true);
                t.start();
            }
        });
    }

    /** Runs a task in the background; whatever it throws is recorded, never rethrown. After close: not run. */
    public void run(Runnable task) {
        pool.execute(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                InternalErrors.record("a background task of the guard", t);
            }
        });
    }

    /** The executor, for futures of the guard's own reads. Tasks given here must catch what they throw. */
    public ExecutorService executor() {
        return pool;
    }

    /** Stops the threads; waits a little for running tasks. */
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
