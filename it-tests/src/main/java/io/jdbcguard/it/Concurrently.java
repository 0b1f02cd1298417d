package io.jdbcguard.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Real threads at once, for the race tests: each runs the task with its number, and all are waited for. */
public final class Concurrently {

    /** What one thread does. */
    @FunctionalInterface
    public interface Task {
        void run(int thread) throws Exception;
    }

    private Concurrently() {
    }

    /**
     * Runs the task on {@code threads} threads of a pool of their own and waits for every one (60 s each); the
     * first failure is rethrown as it was thrown (its cause, not the pool's wrapper).
     */
    public static void run(int threads, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    task.run(thread);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception) {
                        throw (Exception) e.getCause();
                    }
                    throw e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
