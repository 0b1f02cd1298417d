package io.jdbcguard.rules;

import static io.jdbcguard.rules.Patterns.columns;
import static io.jdbcguard.rules.Patterns.sqlText;

import io.jdbcguard.Finding;
import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.sql.LockMode;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import io.jdbcguard.sql.Structure;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** {@code lock-without-transaction}: a locking read under autocommit, whose locks end with the statement. WARN. */
final class LockWithoutTransactionRule implements FactListener {

    private final Reporter reporter;

    LockWithoutTransactionRule(Reporter reporter) {
        this.reporter = reporter;
    }

    private static final Set<StatementKind> BEFORE = EnumSet.of(StatementKind.SELECT);

    @Override
    public boolean activeFor(GuardConfig config) {
        return config.enabled(RuleId.LOCK_WITHOUT_TRANSACTION);
    }

    @Override
    public Set<StatementKind> beforeKinds() {
        return BEFORE;
    }

    @Override
    public boolean wantsBefore(SqlShape shape) {
        return shape.kind() == StatementKind.SELECT && shape.lock() != LockMode.NONE;
    }

    @Override
    public String beforeExecution(ExecutionFact w) throws UnsafePatternException {
        if (w.inTransaction() || !w.connection().config().enabled(RuleId.LOCK_WITHOUT_TRANSACTION)) {
            return null;
        }
        Structure s = w.shape().structure();
        String table = s == null || s.table() == null ? null : s.table().toString();
        StackTraceElement site = CallSites.capture(w.connection().config().appPackages());
        Finding f = reporter.occurred(RuleId.LOCK_WITHOUT_TRANSACTION, table + '|' + site, () -> Findings.of(w.connection(),
                RuleId.LOCK_WITHOUT_TRANSACTION, Finding.Level.WARN,
                "[lock-without-transaction] " + (table == null ? "a locking read" : table) + ": "
                        + lockWords(w.shape()) + " at " + site + " ran under autocommit, so its locks ended with"
                        + " the statement and protect nothing that follows. Fix: run it inside a transaction"
                        + " (setAutoCommit(false) or START TRANSACTION) together with the statements it protects,"
                        + " and commit after them.",
                table, s == null ? List.of() : columns(s.keyEqualities()), null, site, w.isolation(),
                sqlText(w), null));
        Patterns.refuseIfStrict(w, f);
        return null;
    }

    private static String lockWords(SqlShape shape) {
        return shape.lock() == LockMode.FOR_UPDATE ? "SELECT … FOR UPDATE" : "SELECT … LOCK IN SHARE MODE / FOR SHARE";
    }
}
