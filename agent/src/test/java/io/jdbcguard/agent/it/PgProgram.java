package io.jdbcguard.agent.it;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Issue 22: an application on PostgreSQL that knows nothing of the guard: a HikariCP pool on a plain
 * {@code jdbc:postgresql:} URL, pgJDBC's own {@code PGSimpleDataSource}, and {@code DriverManager}; a get-or-create
 * through each. It prints what it got, so a run with the agent can be compared with a run without.
 */
public final class PgProgram {

    private PgProgram() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(hc)) {
            System.out.println("result: pg pool id " + Program.getOrCreate(pool, "ag_pg_pool", "p@x"));
            System.out.println("result: pg pool id again " + Program.getOrCreate(pool, "ag_pg_pool", "p@x"));
            try (Connection c = pool.getConnection()) {
                System.out.println("result: unwraps to pgJDBC " + c.isWrapperFor(org.postgresql.PGConnection.class));
            }
        }
        PGSimpleDataSource vendor = new PGSimpleDataSource();
        vendor.setUrl(url);
        System.out.println("result: pg datasource id " + Program.getOrCreate(vendor, "ag_pg_ds", "v@x"));
        DataSource driverManager = new Program.DriverManagerSource(url);
        System.out.println("result: pg DriverManager id " + Program.getOrCreate(driverManager, "ag_pg_dm", "d@x"));
        System.out.println("result: pg rows " + Program.count(vendor, "ag_pg_pool") + " " + Program.count(vendor, "ag_pg_ds")
                + " " + Program.count(vendor, "ag_pg_dm"));
    }
}
