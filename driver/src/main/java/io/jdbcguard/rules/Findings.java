package io.jdbcguard.rules;

import io.jdbcguard.Finding;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.sql.Isolation;
import java.util.List;

/** Builds the public {@link Finding} from the rules' types; the occurrence fields are set when it is delivered. */
final class Findings {

    private Findings() {
    }

    /** A finding on the database of this connection. */
    static Finding of(io.jdbcguard.fact.ConnectionInfo on, RuleId rule, Finding.Level level, String message, String table,
                      List<String> columns, StackTraceElement checkSite, StackTraceElement writeSite, Isolation isolation,
                      String sql, String checkSql) {
        return of(on == null ? null : on.dialect().database(), rule, level, message, table, columns, checkSite, writeSite,
                isolation, sql, checkSql);
    }

    /** A finding on this database ({@code null}: not known). */
    static Finding of(String database, RuleId rule, Finding.Level level, String message, String table,
                      List<String> columns, StackTraceElement checkSite, StackTraceElement writeSite, Isolation isolation,
                      String sql, String checkSql) {
        return new Finding(rule.id(), level, message, table, columns, checkSite, writeSite,
                isolation == null ? null : isolation.name(), sql, checkSql, database, 0, null, 0);
    }
}
