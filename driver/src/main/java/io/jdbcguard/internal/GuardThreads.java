package io.jdbcguard.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The guard's background threads (daemon, named {@code jdbc-guard-*}): reads of the server on the
 * guard's own connections and log lines settled after the application's statement returned. A task
 * never lets an exception or error kill its thread: it is caught, logged once and counted.
 */
public final class GuardThreads {

    private static final ExecutorService POOL = new ThreadPoolExecutor(0, 4, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "jdbc-guard-background");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.CallerRunsPolicy() {
                @Override
                public void rejectedExecution(Runnable r, ThreadPoolExecutor e) {
                    // All four busy: run on a fresh daemon thread rather than on the application's.
                    Thread t = new Thread(r, "jdbc-guard-background-extra");
                    t.setDaemon(true);
                    t.start();
                }
            });

    private GuardThreads() {
    }

    /** Runs a task in the background; whatever it throws is recorded, never rethrown. */
    public static void run(Runnable task) {
        POOL.execute(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                InternalErrors.record("a background task of the guard", t);
            }
        });
    }

    /** The executor, for futures of the guard's own reads. Tasks given here must catch what they throw. */
    public static ExecutorService executor() {
        return POOL;
    }
}
