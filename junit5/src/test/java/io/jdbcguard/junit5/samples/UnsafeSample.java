package io.jdbcguard.junit5.samples;

import io.jdbcguard.it.TestDatabase;
import io.jdbcguard.junit5.JdbcGuardExtension;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A test whose code races: it must fail with the finding. */
@ExtendWith(JdbcGuardExtension.class)
public class UnsafeSample {

    @Test
    void getOrCreateChecksThenInserts() throws Exception {
        Samples.table("jx_unsafe");
        try (Connection c = TestDatabase.guarded()) {
            Samples.getOrCreate(c, "jx_unsafe", "a@x");
        }
    }

    @Test
    void aTestWithoutDatabaseWorkPasses() {
    }
}
