package io.jdbcguard.agent.it;

import com.zaxxer.hikari.HikariDataSource;
import io.jdbcguard.GuardDataSource;
import io.jdbcguard.spring.JdbcGuardAutoConfiguration;
import java.sql.Connection;
import javax.sql.DataSource;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Issue 20, item 1: every combination of the ways in (the {@code jdbc:guard:} URL, the application's own
 * {@code GuardDataSource}, the starter, and the agent when the JVM runs with it) over a HikariCP pool built
 * as Spring Boot builds it (no-arg constructor, setters: the pool starts at the first
 * {@code getConnection()}, so its first connection is opened underneath whatever wraps the pool). For each,
 * how many guard layers the pool's first connection and a second one (held together, so the pool opens
 * another) have, and a get-or-create for the log's findings.
 */
public final class WaysInProgram {

    private WaysInProgram() {
    }

    static HikariDataSource lazyPool(String url) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        pool.setMaximumPoolSize(2);
        return pool;
    }

    /** The pool as a Spring bean, so that the starter (on this class path) wraps it. */
    @Configuration(proxyBeanMethods = false)
    static class PoolConfig {
        static String url;

        @Bean
        DataSource dataSource() {
            return lazyPool(url);
        }
    }

    static long layers(Connection c) {
        String s = c.toString();
        return s.split("GuardConnection#", -1).length - 1;
    }

    static void combination(String name, DataSource ds, String table) throws Exception {
        long before = io.jdbcguard.Guard.global().statements();
        try (Connection first = ds.getConnection(); Connection second = ds.getConnection()) {
            System.out.println("result: " + name + " layers " + layers(first) + " " + layers(second));
        }
        System.out.println("result: " + name + " id " + Program.getOrCreate(ds, table, name + "@x"));
        // The application's own guard (whose findings the starter's endpoint and meters show) saw the statements.
        System.out.println("result: " + name + " seen by the application's guard "
                + (io.jdbcguard.Guard.global().statements() > before));
    }

    public static void main(String[] args) throws Exception {
        String plain = args[0];
        String guard = "jdbc:guard:" + plain.substring("jdbc:".length());
        try (HikariDataSource p = lazyPool(guard)) {
            combination("url", p, "wi_url");
        }
        try (HikariDataSource p = lazyPool(guard)) {
            combination("url+gds", new GuardDataSource(p), "wi_url_gds");
        }
        try (HikariDataSource p = lazyPool(plain)) {
            combination("gds", new GuardDataSource(p), "wi_gds");
        }
        for (String[] way : new String[][] {{"starter", plain, "wi_starter"}, {"url+starter", guard, "wi_url_starter"}}) {
            PoolConfig.url = way[1];
            try (AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext(
                    JdbcGuardAutoConfiguration.class, PoolConfig.class)) {
                combination(way[0], ctx.getBean(DataSource.class), way[2]);
            }
        }
    }
}
