package io.jdbcguard.rules;

import io.jdbcguard.config.RuleId;
import io.jdbcguard.sql.Isolation;
import java.util.List;

/**
 * One finding, ready to log: the sentence a person acts on and the same facts as key-values.
 *
 * @param rule      which rule
 * @param level     ERROR, WARN or INFO
 * @param message   starts with {@code [rule-id]}
 * @param table     the table, schema-qualified when the statement qualified it
 * @param columns   lower-case column names
 * @param checkSite the first statement's application call site, or {@code null}
 * @param writeSite the completing statement's application call site
 * @param isolation the effective isolation at the completing statement, or {@code null}
 * @param sql       the completing statement, values masked unless {@code guard.log-values=true}
 * @param checkSql  the first statement, likewise, or {@code null}
 */
record Finding(RuleId rule, Level level, String message, String table, List<String> columns,
               StackTraceElement checkSite, StackTraceElement writeSite, Isolation isolation, String sql,
               String checkSql) {

    enum Level { ERROR, WARN, INFO }
}
