package io.jdbcguard.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Accepts a known finding in a test (on the method) or in every test of a class (on the class, or an
 * enclosing class): {@code @AllowFinding(rule = "lost-update", table = "audit_log")}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(AllowFindings.class)
public @interface AllowFinding {

    /** The rule id, e.g. {@code check-then-insert}. */
    String rule();

    /** The table, as findings name it; empty for any table. */
    String table() default "";
}
