package io.jdbcguard.agent.it;

import com.mysql.cj.jdbc.MysqlDataSource;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * An application that knows nothing of the guard: a HikariCP pool on a plain {@code jdbc:mysql:} URL,
 * and a vendor {@code MysqlDataSource}; a get-or-create through each, and ordinary reads. It prints
 * what it got, so a run with the agent can be compared with a run without.
 */
public final class Program {

    private Program() {
    }

    static long getOrCreate(DataSource ds, String table, String email) throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " WHERE email = ?")) {
                ps.setString(1, email);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getLong(1);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (email) VALUES (?)",
                    java.sql.Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, email);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        }
    }

    static long count(DataSource ds, String table) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code DriverManager.getConnection(url)}, as a plain program calls it. */
    public static final class DriverManagerSource extends io.jdbcguard.it.ConnectionSource {
        private final String url;

        DriverManagerSource(String url) {
            this.url = url;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return java.sql.DriverManager.getConnection(url);
        }
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(hc)) {
            System.out.println("result: pool id " + getOrCreate(pool, "ag_pool", "p@x"));
            System.out.println("result: pool id again " + getOrCreate(pool, "ag_pool", "p@x"));
            System.out.println("result: pool rows " + count(pool, "ag_pool"));
            try (Connection c = pool.getConnection()) {
                System.out.println("result: unwraps to Connector/J " + c.isWrapperFor(com.mysql.cj.jdbc.JdbcConnection.class));
            }
        }
        if (args.length > 2) { // MariaDB Connector/J: a pool on jdbc:mariadb:, and its own DataSource
            HikariConfig mc = new HikariConfig();
            mc.setJdbcUrl(args[2]);
            mc.setMaximumPoolSize(2);
            try (HikariDataSource pool = new HikariDataSource(mc)) {
                System.out.println("result: mariadb pool id " + getOrCreate(pool, "ag_maria", "m@x"));
            }
            System.out.println("result: mariadb datasource id "
                    + getOrCreate(new org.mariadb.jdbc.MariaDbDataSource(args[2]), "ag_maria_ds", "d@x"));
            // Issue 21, item 1: MariaDB's Driver.connect is covariant; callers reach its bridge method.
            DataSource driverManager = new DriverManagerSource(args[2]);
            System.out.println("result: mariadb DriverManager id " + getOrCreate(driverManager, "ag_dm", "dm@x"));
            try (io.agroal.api.AgroalDataSource agroal = io.agroal.api.AgroalDataSource.from(
                    new io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier()
                            .connectionPoolConfiguration(cp -> cp.maxSize(2)
                                    .connectionFactoryConfiguration(cf -> cf.jdbcUrl(args[2]))))) {
                System.out.println("result: mariadb agroal id " + getOrCreate(agroal, "AG_AGROAL", "a@x"));
            }
            try (org.apache.commons.dbcp2.BasicDataSource dbcp = new org.apache.commons.dbcp2.BasicDataSource()) {
                dbcp.setUrl(args[2]);
                System.out.println("result: mariadb dbcp id " + getOrCreate(dbcp, "AG_DBCP", "b@x"));
            }
        }
        if (Boolean.getBoolean("program.guardDataSource")) { // the application's own GuardDataSource under the agent
            HikariConfig gc = new HikariConfig();
            gc.setJdbcUrl(url.startsWith("jdbc:guard:") ? "jdbc:" + url.substring(11) : url);
            try (HikariDataSource pool = new HikariDataSource(gc)) {
                DataSource wrapped = new io.jdbcguard.GuardDataSource(pool);
                System.out.println("result: guard datasource id " + getOrCreate(wrapped, "ag_gds", "g@x"));
            }
        }
        MysqlDataSource vendor = new MysqlDataSource();
        vendor.setUrl(args.length > 1 ? args[1] : url); // a vendor DataSource takes its own URL
        System.out.println("result: vendor id " + getOrCreate(vendor, "ag_vendor", "v@x"));
        System.out.println("result: vendor rows " + count(vendor, "ag_vendor"));
    }
}
