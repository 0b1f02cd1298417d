package io.jdbcguard.rules;

import io.jdbcguard.Finding;
import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Mode;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ConnectionInfo;
import io.jdbcguard.dialect.ServerDefaults;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactListener;
import io.jdbcguard.internal.GuardLog;
import io.jdbcguard.internal.InternalErrors;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.SetInfo;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.StatementKind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * {@code risky-isolation}: READ UNCOMMITTED chosen in any way (JDBC call, {@code SET … TRANSACTION
 * ISOLATION LEVEL}, {@code transaction_isolation}/{@code tx_isolation}, Connector/J's
 * {@code sessionVariables}), any {@code SET GLOBAL} of isolation, a server whose default is READ
 * UNCOMMITTED. Once per data source, in the background so the first connection does not wait, an INFO
 * summary of the server on logger {@code jdbcguard}: product and version, default isolation, autocommit,
 * {@code innodb_snapshot_isolation}, and what that means for the get-or-create pattern.
 */
public final class IsolationRule implements FactListener {

    private final Reporter reporter;

    private static final Pattern SESSION_ISOLATION = Pattern.compile(
            "(?i)(?:transaction_isolation|tx_isolation)\\s*=\\s*['\"]?([A-Za-z_ -]+?)['\"]?\\s*(?:,|$)");

    IsolationRule(Reporter reporter) {
        this.reporter = reporter;
    }

    /** Per data source: whether its summary was scheduled. */
    static final class Summarised {
        final AtomicBoolean done = new AtomicBoolean();
    }

    @Override
    public Set<StatementKind> kinds() {
        return EnumSet.noneOf(StatementKind.class);
    }

    /** Subscribes to no executions: everything it reads arrives before a statement runs. */
    @Override
    public void onExecution(ExecutionFact fact) {
    }

    private static final Set<StatementKind> BEFORE = EnumSet.of(StatementKind.SET);

    @Override
    public boolean activeFor(GuardConfig config) {
        return config.enabled(RuleId.RISKY_ISOLATION);
    }

    @Override
    public Set<StatementKind> beforeKinds() {
        return BEFORE;
    }

    @Override
    public boolean wantsBefore(SqlShape shape) {
        return shape.kind() == StatementKind.SET && shape.set().isolation() != null;
    }

    @Override
    public String beforeExecution(ExecutionFact planned) throws SQLException {
        SetInfo set = planned.shape().set();
        ConnectionInfo c = planned.connection();
        if (!c.config().enabled(RuleId.RISKY_ISOLATION)) {
            return null;
        }
        if (set.isolationScope() == SetInfo.Scope.GLOBAL) {
            StackTraceElement site = CallSites.capture(c.config().appPackages());
            refuse(c, reporter.occurred(RuleId.RISKY_ISOLATION, "global|" + site, () -> Findings.of(c,
                    RuleId.RISKY_ISOLATION, Finding.Level.WARN,
                    "[risky-isolation] SET GLOBAL of the isolation level (" + set.isolation() + ") at " + site
                            + ": it changes the default of every new connection to the server, other applications'"
                            + " included, and not this connection's. Fix: set isolation per session or per"
                            + " transaction (Connection.setTransactionIsolation, SET SESSION TRANSACTION ISOLATION"
                            + " LEVEL …) and leave the server default to the server's configuration.",
                    null, List.of(), null, site, set.isolation(), Patterns.sqlText(planned), null)));
        } else if (set.isolation() == Isolation.READ_UNCOMMITTED && c.dialect().dirtyReads(Isolation.READ_UNCOMMITTED)) {
            readUncommitted(c, set.isolationScope() == SetInfo.Scope.NEXT_TRANSACTION
                    ? "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED (the next transaction)" : "SQL (" + Patterns.sqlText(planned) + ")",
                    Patterns.sqlText(planned));
        }
        return null;
    }

    @Override
    public void beforeIsolationChange(ConnectionInfo c, Isolation level) throws SQLException {
        if (level == Isolation.READ_UNCOMMITTED && c.config().enabled(RuleId.RISKY_ISOLATION)
                && c.dialect().dirtyReads(level)) {
            readUncommitted(c, "Connection.setTransactionIsolation(TRANSACTION_READ_UNCOMMITTED)", null);
        }
    }

    private void readUncommitted(ConnectionInfo c, String how, String sql) throws UnsafePatternException {
        StackTraceElement site = CallSites.capture(c.config().appPackages());
        refuse(c, reporter.occurred(RuleId.RISKY_ISOLATION, "read-uncommitted|" + site, () -> Findings.of(c,
                RuleId.RISKY_ISOLATION, Finding.Level.WARN, readUncommittedMessage("chosen at " + site + " by " + how),
                null, List.of(), null, site, Isolation.READ_UNCOMMITTED, sql, null)));
    }

    private static String readUncommittedMessage(String where) {
        return "[risky-isolation] READ UNCOMMITTED " + where + ": reads see other transactions' uncommitted"
                + " changes (dirty reads), which may still roll back, so a check can find a row that never commits"
                + " and a read-modify-write can build on a value that vanishes. Fix: use READ COMMITTED or the"
                + " default REPEATABLE READ, and make races explicit with unique indexes or locking reads.";
    }

    private static void refuse(ConnectionInfo c, Finding f) throws UnsafePatternException {
        if (f != null && c.config().mode() == Mode.STRICT) {
            throw new UnsafePatternException(f.rule(), f.message());
        }
    }

    @Override
    public void onConnectionOpened(ConnectionInfo c) {
        ConnectionInfo.DataSourceInfo ds = c.dataSource();
        if (!ds.state(Summarised.class, d -> new Summarised()).done.compareAndSet(false, true)) {
            return;
        }
        if (c.config().enabled(RuleId.RISKY_ISOLATION) && ds.sessionVariables() != null) {
            Matcher m = SESSION_ISOLATION.matcher(ds.sessionVariables());
            if (m.find() && Isolation.parse(m.group(1).trim()) == Isolation.READ_UNCOMMITTED) {
                StackTraceElement site = CallSites.capture(c.config().appPackages());
                reporter.occurred(RuleId.RISKY_ISOLATION, "session-variables|" + ds.maskedUrl(), () -> Findings.of(c,
                        RuleId.RISKY_ISOLATION, Finding.Level.WARN,
                        readUncommittedMessage("chosen by the sessionVariables of " + ds.maskedUrl()
                                + " (first connection opened at " + site + ")"),
                        null, List.of(), null, site, Isolation.READ_UNCOMMITTED, null, null));
            }
        }
        ds.serverFacts().whenRead(f -> {
            if (ds.serverFacts().claimSummary()) {
                summarise(ds, f);
            }
        });
    }

    /** Logs the summary of a server's defaults, read once on a connection of the guard's own. */
    void summarise(ConnectionInfo.DataSourceInfo ds, ServerDefaults facts) {
        String product = facts.product();
        Isolation iso = facts.defaultIsolation();
        boolean autocommit = facts.autocommit();
        boolean freshRead = ds.config().recovery() == io.jdbcguard.config.Recovery.FRESH_READ;
        String meaning = ds.dialect().defaultsMeaning(facts, freshRead);
        GuardLog.log(LoggerFactory.getLogger("jdbcguard"), GuardLog.Level.INFO,
                "jdbc-guard: " + ds.maskedUrl() + " is " + product + "; default isolation " + iso + ", autocommit "
                        + (autocommit ? "on" : "off") + ", " + facts.settings() + ". " + meaning,
                "server", product, "database", ds.dialect().database(), "isolation", iso == null ? "unknown" : iso.name(),
                "autocommit", autocommit, "innodbSnapshotIsolation", facts.snapshotIsolation());
        if (iso == Isolation.READ_UNCOMMITTED && ds.config().enabled(RuleId.RISKY_ISOLATION)
                && ds.dialect().dirtyReads(iso)) {
            reporter.occurred(RuleId.RISKY_ISOLATION, "server-default|" + ds.maskedUrl(), () -> Findings.of(ds.dialect().database(),
                    RuleId.RISKY_ISOLATION, Finding.Level.WARN,
                    readUncommittedMessage("is the default of the server behind " + ds.maskedUrl()
                            + " (" + product + ")").replace("Fix: use", "Fix: configure the server with"),
                    null, List.of(), null, null, Isolation.READ_UNCOMMITTED, null, null));
        }
    }

}
