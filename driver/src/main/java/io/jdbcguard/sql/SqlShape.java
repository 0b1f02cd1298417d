package io.jdbcguard.sql;

/**
 * Everything the guard knows about one statement text: immutable, shared by every execution of that
 * text and cached. The structural part ({@link #structure()}) is shared by every text with the same
 * normalised form; the {@link #slot slots} say, for each {@code ?} of the normalised text, which JDBC
 * parameter or which literal of this text it stands for.
 */
public final class SqlShape {

    private final StatementKind kind;
    private final LockMode lock;
    private final InsertVariant insertVariant;
    private final String normalized;
    private final Object[] slots;
    private final int paramCount;
    private final SetInfo set;
    private final boolean implicitCommit;
    private final boolean namedLock;
    private final boolean releasesNamedLock;
    private final Structure structure;
    private final int lockClauseStart;
    private final int statementEnd;
    /** The syntax the text was read in: a cached shape serves only connections of that syntax. */
    final Syntax syntax;

    SqlShape(StatementKind kind, LockMode lock, InsertVariant insertVariant, String normalized, Object[] slots,
             int paramCount, SetInfo set, boolean implicitCommit, boolean namedLock, boolean releasesNamedLock,
             Structure structure,
             int lockClauseStart, int statementEnd, Syntax syntax) {
        this.syntax = syntax;
        this.kind = kind;
        this.lock = lock;
        this.insertVariant = insertVariant;
        this.normalized = normalized;
        this.slots = slots;
        this.paramCount = paramCount;
        this.set = set;
        this.implicitCommit = implicitCommit;
        this.namedLock = namedLock;
        this.releasesNamedLock = releasesNamedLock;
        this.structure = structure;
        this.lockClauseStart = lockClauseStart;
        this.statementEnd = statementEnd;
    }

    /**
     * This shape for a text whose normalised form is the same: other literals (or parameters where this one
     * has literals), so another end offset.
     */
    SqlShape withLiterals(Object[] otherSlots, int otherParamCount, int otherStatementEnd) {
        return new SqlShape(kind, lock, insertVariant, normalized, otherSlots, otherParamCount, set, implicitCommit, namedLock,
                releasesNamedLock, structure, lockClauseStart, otherStatementEnd, syntax);
    }

    public StatementKind kind() {
        return kind;
    }

    /** The locking clause of a SELECT; {@link LockMode#NONE} for every other kind. */
    public LockMode lock() {
        return lock;
    }

    public InsertVariant insertVariant() {
        return insertVariant;
    }

    /**
     * The text with comments removed, whitespace folded and every literal replaced by {@code ?}: the
     * cache key, and the {@code sql} shown in findings unless values are to be logged.
     */
    public String normalized() {
        return normalized;
    }

    /** How many {@code ?} JDBC parameters the original text has. */
    public int paramCount() {
        return paramCount;
    }

    /** How many {@code ?} the normalised text has (parameters and literals). */
    public int slotCount() {
        return slots.length;
    }

    /**
     * What the {@code k}-th {@code ?} (1-based) of the normalised text stands for.
     *
     * @return a {@link Slot}
     */
    public Slot slot(int k) {
        Object o = slots[k - 1];
        return o instanceof Integer ? Slot.param((Integer) o) : Slot.literal(((Lexer.Literal) o).value);
    }

    /** The JDBC parameter index of the {@code k}-th {@code ?} (1-based), or 0 for a literal; allocates nothing. */
    public int slotParamIndex(int k) {
        Object o = slots[k - 1];
        return o instanceof Integer ? (Integer) o : 0;
    }

    /** The literal value of the {@code k}-th {@code ?}, or {@code null} for a parameter; allocates nothing. */
    public Object slotLiteral(int k) {
        Object o = slots[k - 1];
        return o instanceof Lexer.Literal ? ((Lexer.Literal) o).value : null;
    }

    /** What a {@code SET} statement sets; all {@code null} for other kinds. */
    public SetInfo set() {
        return set;
    }

    /** Whether running it commits an open transaction (DDL on a non-temporary table). */
    public boolean implicitCommit() {
        return implicitCommit;
    }

    /** Whether it calls {@code GET_LOCK(…)}. */
    public boolean namedLock() {
        return namedLock;
    }

    /** Whether it calls {@code RELEASE_LOCK(…)} or {@code RELEASE_ALL_LOCKS()}. */
    public boolean releasesNamedLock() {
        return releasesNamedLock;
    }

    /** The structural facts, or {@code null} when the statement is not a DML statement the guard understood. */
    public Structure structure() {
        return structure;
    }

    /** Offset in the original SQL where the SELECT's locking clause starts, or -1. */
    public int lockClauseStart() {
        return lockClauseStart;
    }

    /**
     * Offset in the original SQL after the statement's last token (before a trailing {@code ;} or
     * comment), where a lock clause can be appended; -1 when the guard does not know this text's grammar
     * well enough to append one (not a plain single-table SELECT, a version or executable comment, a
     * parenthesised select, {@code INTO}, {@code PROCEDURE}, several statements).
     */
    public int statementEnd() {
        return statementEnd;
    }

    /** A {@code ?} of the normalised text: a JDBC parameter index or a literal value. */
    public static final class Slot {
        private final int paramIndex;
        private final Object literal;

        private Slot(int paramIndex, Object literal) {
            this.paramIndex = paramIndex;
            this.literal = literal;
        }

        static Slot param(int index) {
            return new Slot(index, null);
        }

        static Slot literal(Object value) {
            return new Slot(0, value);
        }

        /** The JDBC parameter index (1-based), or 0 for a literal. */
        public int paramIndex() {
            return paramIndex;
        }

        /** The literal's value (String, Long, BigDecimal), when {@link #paramIndex()} is 0. */
        public Object literal() {
            return literal;
        }
    }

    @Override
    public String toString() {
        return kind + (lock != LockMode.NONE ? "/" + lock : "")
                + (insertVariant != InsertVariant.NONE ? "/" + insertVariant : "") + " " + normalized;
    }
}
