package io.jdbcguard.junit5.samples;

import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.it.TestDatabase;
import io.jdbcguard.junit5.JdbcGuardExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Strict mode refuses the insert; the application swallows the exception: the test must still fail. */
@ExtendWith(JdbcGuardExtension.class)
public class SwallowedSample {

    @Test
    void theApplicationCatchesEverything() throws Exception {
        Samples.table("jx_swallowed");
        try (Connection c = DriverManager.getConnection(TestDatabase.guardUrl("guard.mode=strict"))) {
            try {
                Samples.getOrCreate(c, "jx_swallowed", "a@x");
            } catch (UnsafePatternException swallowed) {
                // what a framework wrapping the exception, or a careless catch, does
            }
        }
    }

    @Test
    void onAnotherThreadTheTestStarted() throws Exception {
        Samples.table("jx_thread");
        Thread t = new Thread(() -> {
            try (Connection c = TestDatabase.guarded()) {
                Samples.getOrCreate(c, "jx_thread", "a@x");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "worker-started-by-the-test");
        t.start();
        t.join();
    }
}
