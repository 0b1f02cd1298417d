package io.jdbcguard.dialect;

import io.jdbcguard.sql.Isolation;

/**
 * What the guard reads of a server once, on its own connection, for the summary line and the rules.
 *
 * @param product           the server as a person names it ({@code MariaDB 11.4.5}, {@code PostgreSQL 14.22})
 * @param defaultIsolation  the server's default isolation
 * @param autocommit        the server's default autocommit
 * @param snapshotIsolation {@code innodb_snapshot_isolation}: {@code ON}, {@code OFF} or {@code not present}
 * @param modes             the server's {@code sql_mode} (MySQL/MariaDB), or {@code null}
 * @param settings          the server settings behind its defaults, as the summary names them
 */
public record ServerDefaults(String product, Isolation defaultIsolation, boolean autocommit, String snapshotIsolation,
                             String modes, String settings) {
}
