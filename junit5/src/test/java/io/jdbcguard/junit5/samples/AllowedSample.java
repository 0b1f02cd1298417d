package io.jdbcguard.junit5.samples;

import io.jdbcguard.it.TestDatabase;
import io.jdbcguard.junit5.AllowFinding;
import io.jdbcguard.junit5.JdbcGuardExtension;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A known race, accepted on the method, on the class, and not accepted for another table. */
@ExtendWith(JdbcGuardExtension.class)
@AllowFinding(rule = "check-then-insert", table = "jx_class_allowed")
public class AllowedSample {

    @Test
    @AllowFinding(rule = "check-then-insert", table = "jx_allowed")
    void acceptedOnTheMethod() throws Exception {
        Samples.table("jx_allowed");
        try (Connection c = TestDatabase.guarded()) {
            Samples.getOrCreate(c, "jx_allowed", "a@x");
        }
    }

    @Test
    void acceptedOnTheClass() throws Exception {
        Samples.table("jx_class_allowed");
        try (Connection c = TestDatabase.guarded()) {
            Samples.getOrCreate(c, "jx_class_allowed", "a@x");
        }
    }

    @Test
    @AllowFinding(rule = "check-then-insert", table = "some_other_table")
    void acceptedForAnotherTableOnly() throws Exception {
        Samples.table("jx_not_allowed");
        try (Connection c = TestDatabase.guarded()) {
            Samples.getOrCreate(c, "jx_not_allowed", "a@x");
        }
    }
}
