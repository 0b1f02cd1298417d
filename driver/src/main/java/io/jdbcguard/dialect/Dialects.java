package io.jdbcguard.dialect;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/** Which dialect serves a data source: chosen once, from its first connection's metadata (a local call). */
public final class Dialects {

    private Dialects() {
    }

    /** The dialect of a server whose metadata could not be read: the MySQL family's (the guard's first database). */
    public static Dialect fallback() {
        return MySqlDialect.MARIADB;
    }

    /** Every dialect, for what reads exceptions without a connection ({@code Retry}). */
    public static List<Dialect> all() {
        return List.of(MySqlDialect.MYSQL_8, MySqlDialect.MARIADB, PostgresDialect.INSTANCE);
    }

    /** The dialect of a server as its driver describes it. */
    public static Dialect of(DatabaseMetaData md) throws SQLException {
        return of(md.getDatabaseProductName(), md.getDatabaseProductVersion(), md.getDatabaseMajorVersion());
    }

    static Dialect of(String product, String version, int major) {
        String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
        String v = version == null ? "" : version.toLowerCase(Locale.ROOT);
        if (p.contains("postgres")) {
            return PostgresDialect.INSTANCE;
        }
        if (p.contains("mariadb") || v.contains("mariadb")) {
            return MySqlDialect.MARIADB;
        }
        if (p.contains("mysql") && major > 0 && major < 8) {
            return MySqlDialect.MYSQL_5;
        }
        if (p.contains("mysql")) {
            return MySqlDialect.MYSQL_8;
        }
        return MySqlDialect.MARIADB; // unknown (a stub): the MySQL family, LOCK IN SHARE MODE as before dialects
    }
}
