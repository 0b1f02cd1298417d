package io.jdbcguard.rules;

import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.sql.StatementKind;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Forgets a table's unique indexes after DDL on it went through the guard, on every connection (whatever
 * its rules): another connection of the data source may report on that table.
 */
final class IndexInvalidator implements FactListener {

    private static final Set<StatementKind> KINDS = Set.of(StatementKind.DDL);

    @Override
    public Set<StatementKind> kinds() {
        return KINDS;
    }

    @Override
    public Set<StatementKind> beforeKinds() {
        return Set.of();
    }

    @Override
    public void onExecution(ExecutionFact f) {
        Matcher m = DDL_TABLE.matcher(f.shape().normalized());
        IndexCatalog catalog = IndexCatalog.of(f.connection().dataSource());
        if (m.find()) {
            String first = unquote(m.group(1));
            String second = m.group(2) == null ? null : unquote(m.group(2));
            catalog.invalidate(second == null ? null : first, second == null ? first : second);
        } else {
            catalog.invalidate(null, null);
        }
    }

    private static final Pattern DDL_TABLE = Pattern.compile(
            "(?i)^\\s*(?:ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)?TABLE|DROP\\s+TABLE(?:\\s+IF\\s+EXISTS)?|TRUNCATE(?:\\s+TABLE)?"
                    + "|CREATE\\s+(?:OR\\s+REPLACE\\s+)?TABLE(?:\\s+IF\\s+NOT\\s+EXISTS)?"
                    + "|(?:CREATE|DROP)\\s+(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?INDEX\\s+(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?\\S+\\s+ON)"
                    + "\\s+(`[^`]+`|[\\w$]+)(?:\\.(`[^`]+`|[\\w$]+))?(?:\\s|\\(|$)");

    private static String unquote(String s) {
        return s.startsWith("`") ? s.substring(1, s.length() - 1) : s;
    }
}
