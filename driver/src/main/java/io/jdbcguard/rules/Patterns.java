package io.jdbcguard.rules;

import io.jdbcguard.Finding;
import io.jdbcguard.UnsafePatternException;
import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.config.Mode;
import io.jdbcguard.config.RuleId;
import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.sql.Isolation;
import io.jdbcguard.sql.Structure.Equality;
import io.jdbcguard.sql.Structure.TableName;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What the pattern rules share: how two statements relate in time, when a pattern is serialized, and
 * reporting it at its place without waiting for the table's indexes.
 */
final class Patterns {

    /** {@link #completed}'s answer when the statements formed a pattern that yields no finding (serialized). */
    static final Finding NO_FINDING = Findings.of((String) null, RuleId.CHECK_THEN_INSERT, Finding.Level.INFO, "", null, List.of(),
            null, null, null, null, null);

    final PatternMemory memory;
    final CallSiteSampler sites;
    final Reporter reporter;

    Patterns(PatternMemory memory, CallSiteSampler sites, Reporter reporter) {
        this.memory = memory;
        this.sites = sites;
        this.reporter = reporter;
    }

    /** Builds a pattern's finding once the table's unique indexes are known ({@code null}: unknown). */
    @FunctionalInterface
    interface FindingBuilder {
        Finding build(String relation, StackTraceElement writeSite, Boolean unique);
    }

    /**
     * The statement matches the opener: if they are close enough in time, they form a pattern, reported
     * unless serialized. Returns {@code null} when they form none, {@link #NO_FINDING} when it is safe,
     * else the place's finding (provisional while the table's indexes are being read).
     *
     * @param indexKey the columns whose unique index decides the level
     */
    Finding completed(ThreadMemory memory, ThreadMemory.Opener o, ExecutionFact w, RuleId rule, List<String> columns,
                      List<String> indexKey, FindingBuilder build) {
        String relation = relation(o, w);
        if (relation == null) {
            return null;
        }
        memory.remove(o);
        if (serialized(memory, o, w, relation)) {
            return NO_FINDING;
        }
        Finding f = report(memory, rule, o, w, relation, columns, indexKey, build);
        return f == null ? NO_FINDING : f;
    }

    /**
     * Reports a pattern at its place (rule, table, columns, both call sites). Whether a unique index
     * covers the key decides the level; it is never awaited on the application's thread: when the guard
     * has not read the table's indexes yet, the occurrence is counted now and the finding delivered when
     * they are read (strict mode refuses a check-then-insert at once, whatever the index).
     */
    private Finding report(ThreadMemory m, RuleId rule, ThreadMemory.Opener o, ExecutionFact w, String relation,
                           List<String> columns, List<String> indexKey, FindingBuilder build) {
        GuardConfig config = w.connection().config();
        StackTraceElement writeSite = sites.writeSite(o, w.shape(), config);
        if (writeSite == null) {
            // The read's site stood in from an earlier execution of its SQL, elsewhere perhaps: rather than
            // name a wrong line, this occurrence goes unreported and the SQL's reads are walked from now on.
            return null;
        }
        TableName table = w.shape().structure().table();
        ThreadMemory.LastReport last = m.lastReport;
        if (last != null && last.same(rule, table, columns, o.site, writeSite)) {
            // The same pattern at the same place as this thread's last report: counted on the place it holds.
            Finding f = reporter.occurredAt(rule, last.place());
            if (f != null) {
                return f;
            }
        }
        Object place = List.of(table, columns, o.site, writeSite); // compared by value, printed only when asked
        String schema = w.connection().currentSchema();
        IndexCatalog catalog = IndexCatalog.of(w.connection().dataSource());
        CompletableFuture<?> indexes = catalog.lookup(table, schema);
        Supplier<Finding> settled = () -> {
            Boolean unique = catalog.uniqueWithin(table, schema, indexKey);
            // A read that fixes exactly a foreign key's columns lists a parent's children (then one is added):
            // no check of those columns, unless a unique index lies within them (a one-to-one child).
            if (rule == RuleId.CHECK_THEN_INSERT && !Boolean.TRUE.equals(unique)
                    && Boolean.TRUE.equals(catalog.foreignKey(table, schema, columns))) {
                return null;
            }
            return build.build(relation, writeSite, unique);
        };
        Finding f;
        if (indexes.isDone()) {
            f = reporter.occurred(rule, place, settled);
        } else {
            Finding provisional = rule == RuleId.CHECK_THEN_INSERT || rule == RuleId.GAP_LOCK_INSERT
                    ? build.build(relation, writeSite, null) : null;
            f = reporter.occurredWhen(rule, place, indexes, settled, provisional);
        }
        // The long way (a first occurrence, or a walked site) looks the place up once more to remember it.
        Reporter.Place counted = reporter.placeOf(rule, place);
        m.lastReport = counted == null ? null : new ThreadMemory.LastReport(rule, table, columns, o.site, writeSite, counted);
        return f;
    }

    static void refuseIfStrict(ExecutionFact w, Finding f) throws UnsafePatternException {
        if (f != null && f != NO_FINDING && w.connection().config().mode() == Mode.STRICT
                && f.level() != Finding.Level.INFO) {
            throw new UnsafePatternException(f.rule(), f.message());
        }
    }

    /** How two statements relate in time; {@code null} when they form no pattern (too far apart). */
    static String relation(ThreadMemory.Opener o, ExecutionFact w) {
        ExecutionFact r = o.fact;
        boolean sameTx = r.connection().id() == w.connection().id() && r.transactionId() == w.transactionId()
                && r.inTransaction() && w.inTransaction();
        if (sameTx) {
            return "in the same transaction";
        }
        long gap = w.startNanos() - r.endNanos();
        if (gap > w.connection().config().windowNanos()) {
            return null;
        }
        String ms = Math.max(0, gap / 1_000_000) + " ms apart";
        if (!r.inTransaction() && !w.inTransaction()) {
            return "as separate autocommit statements " + ms;
        }
        return "in separate transactions " + ms + (r.connection().id() == w.connection().id() ? "" : " on different connections");
    }

    /** Whether the pattern is serialized, and so safe. */
    static boolean serialized(ThreadMemory memory, ThreadMemory.Opener o, ExecutionFact w, String relation) {
        if (o.underSessionLock && o.fact.connection().id() == w.connection().id()
                && w.connection().sessionLocked()) {
            return true;
        }
        if (!"in the same transaction".equals(relation)) {
            return false;
        }
        return o.afterExclusiveLock || w.isolation() == Isolation.SERIALIZABLE
                || o.fact.isolation() == Isolation.SERIALIZABLE;
    }

    private static final java.util.regex.Pattern HIBERNATE_ALIAS = java.util.regex.Pattern.compile("\\b[a-z]\\w*\\d+_\\d+\\.");

    /** Whether a statement has Hibernate's shape (aliases like {@code o1_0}): its fix is said in JPA's terms. */
    static boolean fromJpa(ExecutionFact f) {
        return HIBERNATE_ALIAS.matcher(f.shape().normalized()).find();
    }

    static String isolationText(Isolation i) {
        return i == null ? "" : " under " + i.name();
    }

    /** A write's site as a finding names it: where the ORM flushed it at commit, said so. */
    String writeSiteText(StackTraceElement site) {
        return sites.flushedAtCommit(site) ? site + " (written when its transaction committed)" : String.valueOf(site);
    }

    static boolean sameMethod(StackTraceElement a, StackTraceElement b) {
        return a != null && b != null && a.getClassName().equals(b.getClassName())
                && a.getMethodName().equals(b.getMethodName());
    }

    static boolean sameTable(TableName a, TableName b) {
        return a != null && b != null && a.name().equals(b.name())
                && (a.schema() == null || b.schema() == null || a.schema().equals(b.schema()));
    }

    /** Equal, or unknown on either side (then the columns alone decide). */
    static boolean sameValue(Object a, Object b) {
        if (a == null || b == null || a instanceof java.io.InputStream || a instanceof java.io.Reader
                || b instanceof java.io.InputStream || b instanceof java.io.Reader) {
            return true;
        }
        if (a instanceof Number && b instanceof Number) {
            try {
                return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
            } catch (NumberFormatException e) {
                return a.equals(b);
            }
        }
        if (a instanceof byte[] && b instanceof byte[]) {
            return Arrays.equals((byte[]) a, (byte[]) b);
        }
        if (a instanceof Number || b instanceof Number) {
            return a.toString().equals(b.toString());
        }
        return a.equals(b) || a.toString().equals(b.toString());
    }

    static List<String> columns(List<Equality> eqs) {
        List<String> out = new ArrayList<>(eqs.size());
        for (Equality e : eqs) {
            out.add(e.column());
        }
        return out;
    }

    /** The SQL for a log line: normalised (values as {@code ?}) unless values are to be logged. */
    static String sqlText(ExecutionFact f) {
        if (!f.connection().config().logValues()) {
            return f.shape().normalized();
        }
        StringBuilder sb = new StringBuilder(f.sql());
        if (f.shape().paramCount() > 0) {
            sb.append(" [");
            for (int i = 1; i <= f.shape().paramCount(); i++) {
                sb.append(i > 1 ? ", " : "").append(i).append('=').append(f.param(i));
            }
            sb.append(']');
        }
        return sb.toString();
    }
}
