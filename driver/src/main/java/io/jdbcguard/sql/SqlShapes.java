package io.jdbcguard.sql;

import io.jdbcguard.sql.Lexer.Token;
import java.util.List;

/**
 * Turns statement texts into {@link SqlShape}s. Every new text is lexed and classified by hand; its
 * structure comes from {@link StructureReader} only when its normalised text is not cached yet.
 *
 * <p>The cost on the application's thread is bounded whatever the text: the lexer is linear and reads at
 * most {@link #MAX_LEXED} characters (a longer text is classified by its beginning and not analysed),
 * and the structure reader is linear and reads only normalised texts of at most
 * {@link #MAX_CACHED_LENGTH} characters nested at most {@link StructureReader#MAX_DEPTH} deep. Both
 * caches are bounded in bytes (an estimate of what their entries hold), {@link #MAX_CACHE_BYTES} each.
 */
public final class SqlShapes {

    /** Texts longer than this are classified but neither cached nor analysed for structure. */
    static final int MAX_CACHED_LENGTH = 8192;
    /** Characters the lexer reads of one text; the rest of a longer text is not looked at. */
    public static final int MAX_LEXED = 16 * 1024;
    /** Estimated bytes each cache may hold; a full cache is emptied and refilled (cheap, and bounded). */
    public static final long MAX_CACHE_BYTES = 8L * 1024 * 1024;

    private static final BoundedCache<String, SqlShape> BY_TEXT = new BoundedCache<>(MAX_CACHE_BYTES);
    private static final BoundedCache<String, Structure> BY_NORMALIZED = new BoundedCache<>(MAX_CACHE_BYTES);
    /** Texts up to this long are scanned for a known shape with other literals before being lexed. */
    static final int MAX_SCANNED = 2048;
    /** Normalised text → a shape whose texts differ only in literals ({@link LiteralScan}). */
    private static final BoundedCache<LiteralScan.Key, SqlShape> TEMPLATES = new BoundedCache<>(MAX_CACHE_BYTES);
    private static final Structure UNPARSED = new Structure(null, List.of(), false, java.util.Set.of(),
            Structure.SelectForm.NONE, 0, List.of(), List.of(), List.of(), List.of(), List.of());

    private SqlShapes() {
    }

    /** The shape of a statement text in MySQL/MariaDB's default syntax; never throws for any text. */
    public static SqlShape of(String sql) {
        return of(sql, Syntax.MYSQL);
    }

    /**
     * The shape of a statement text read in a syntax; never throws for any text. A text is cached with the
     * syntax it was read in; the same text from a connection of another syntax is read again (and replaces it).
     */
    public static SqlShape of(String sql, Syntax syntax) {
        if (sql.length() > MAX_CACHED_LENGTH) {
            return classify(sql, syntax); // never cached: hashing a long text for the lookup would cost as much again
        }
        SqlShape shape = BY_TEXT.get(sql);
        if (shape == null || shape.syntax != syntax) {
            // A new text: if it differs from a known one only in its literals, it takes that one's shape with
            // its own literals, unlexed (a plain statement with a new literal each time); else it is lexed.
            LiteralScan scan = sql.length() <= MAX_SCANNED ? LiteralScan.of(sql) : null;
            SqlShape template = scan == null ? null : TEMPLATES.get(scan.normalized);
            if (template != null) {
                // Not cached by its text: the template serves it again, and texts with ever new literals
                // would only churn the text cache.
                return template.withLiterals(scan.slots, scan.paramCount, template.statementEnd() < 0 ? -1 : scan.statementEnd);
            } else {
                shape = classify(sql, syntax);
                if (scan != null && scan.agreesWith(shape)) {
                    TEMPLATES.put(scan.normalized.kept(), shape, 4L * shape.normalized().length() + 24L * shape.slotCount()
                            + literalBytes(shape) + 160);
                }
            }
            BY_TEXT.put(sql, shape, 2L * sql.length() + 2L * shape.normalized().length()
                    + 24L * shape.slotCount() + literalBytes(shape) + 160);
        }
        return shape;
    }

    private static long literalBytes(SqlShape shape) {
        long n = 0;
        for (int i = 1; i <= shape.slotCount(); i++) {
            Object v = shape.slot(i).literal();
            n += v instanceof String ? 2L * ((String) v).length() + 40 : v != null ? 40 : 0;
        }
        return n;
    }

    /** How many entries the caches hold now (texts, normalised texts, literal templates). */
    public static int[] cacheSizes() {
        return new int[] {BY_TEXT.size(), BY_NORMALIZED.size(), TEMPLATES.size()};
    }

    /** The estimated bytes the caches hold now (texts, normalised texts, literal templates). */
    public static long[] cacheBytes() {
        return new long[] {BY_TEXT.weight(), BY_NORMALIZED.weight(), TEMPLATES.weight()};
    }

    static SqlShape classify(String sql) {
        return classify(sql, Syntax.MYSQL);
    }

    static SqlShape classify(String sql, Syntax syntax) {
        Lexer lx = Lexer.lex(sql, MAX_LEXED, syntax);
        List<Token> t = lx.tokens;
        int end = t.size();
        // A trailing ';' ends the statement; anything after a top-level ';' is a second statement.
        for (int i = 0; i < t.size(); i++) {
            if (t.get(i).isOp(';') && t.get(i).depth == 0) {
                end = i;
                break;
            }
        }
        boolean multi = end < t.size() - 1 || lx.truncated;
        int first = 0;
        while (first < end && t.get(first).isOp('(')) {
            first++;
        }
        StatementKind kind = StatementKind.OTHER;
        LockMode lock = LockMode.NONE;
        InsertVariant variant = InsertVariant.NONE;
        SetInfo set = SetInfo.NONE;
        boolean implicitCommit = false;
        boolean namedLock = false;
        boolean releasesNamedLock = false;
        int lockStart = -1;
        int lockNormStart = -1;
        if (first < end && !multi) {
            Token f = t.get(first);
            String w = f.type == Lexer.WORD ? f.text.toUpperCase(java.util.Locale.ROOT) : "";
            switch (w) {
                case "SELECT":
                    kind = StatementKind.SELECT;
                    break;
                case "WITH":
                    kind = mainVerbAfterWith(t, first + 1, end);
                    break;
                case "INSERT":
                    kind = StatementKind.INSERT;
                    variant = insertVariant(t, first + 1, end);
                    break;
                case "REPLACE":
                    kind = StatementKind.INSERT;
                    variant = InsertVariant.REPLACE;
                    break;
                case "UPDATE":
                    kind = StatementKind.UPDATE;
                    break;
                case "DELETE":
                    kind = StatementKind.DELETE;
                    break;
                case "SET":
                    kind = StatementKind.SET;
                    set = SetParser.parse(t, first + 1, end);
                    break;
                case "LOCK":
                    kind = word(t, first + 1, end, "TABLES") || word(t, first + 1, end, "TABLE")
                            ? StatementKind.LOCK_TABLES : StatementKind.OTHER;
                    break;
                case "UNLOCK":
                    kind = word(t, first + 1, end, "TABLES") || word(t, first + 1, end, "TABLE")
                            ? StatementKind.UNLOCK_TABLES : StatementKind.OTHER;
                    break;
                case "BEGIN":
                    kind = first + 1 == end || word(t, first + 1, end, "WORK") ? StatementKind.BEGIN : StatementKind.OTHER;
                    break;
                case "START":
                    kind = word(t, first + 1, end, "TRANSACTION") ? StatementKind.BEGIN : StatementKind.OTHER;
                    break;
                case "COMMIT":
                    kind = StatementKind.COMMIT;
                    break;
                case "ROLLBACK":
                    kind = StatementKind.ROLLBACK;
                    for (int i = first + 1; i < end; i++) {
                        if (t.get(i).is("TO")) {
                            kind = StatementKind.SAVEPOINT;
                        }
                    }
                    break;
                case "SAVEPOINT":
                case "RELEASE":
                    kind = StatementKind.SAVEPOINT;
                    break;
                case "CREATE":
                case "ALTER":
                case "DROP":
                case "TRUNCATE":
                case "RENAME":
                    kind = StatementKind.DDL;
                    implicitCommit = !word(t, first + 1, end, "TEMPORARY");
                    break;
                default:
                    kind = StatementKind.OTHER;
            }
            if (kind == StatementKind.SELECT) {
                for (int i = first; i < end; i++) {
                    Token k = t.get(i);
                    if (k.is("RELEASE_LOCK") || k.is("RELEASE_ALL_LOCKS")) {
                        releasesNamedLock = true;
                    }
                    if (k.depth != 0 || k.type != Lexer.WORD) {
                        if (k.is("GET_LOCK")) {
                            namedLock = true;
                        }
                        continue;
                    }
                    if (k.is("GET_LOCK")) {
                        namedLock = true;
                    } else if (k.is("FOR") && word(t, i + 1, end, "UPDATE")) {
                        lock = LockMode.FOR_UPDATE;
                    } else if (k.is("FOR") && word(t, i + 1, end, "NO") && word(t, i + 2, end, "KEY")
                            && word(t, i + 3, end, "UPDATE")) {
                        lock = LockMode.FOR_UPDATE; // PostgreSQL: an exclusive row lock that lets key-share readers in
                    } else if (k.is("FOR") && (word(t, i + 1, end, "SHARE")
                            || word(t, i + 1, end, "KEY") && word(t, i + 2, end, "SHARE"))) {
                        lock = LockMode.SHARED;
                    } else if (k.is("LOCK") && word(t, i + 1, end, "IN") && word(t, i + 2, end, "SHARE")
                            && word(t, i + 3, end, "MODE")) {
                        lock = LockMode.SHARED;
                    } else {
                        continue;
                    }
                    if (lock != LockMode.NONE && lockStart < 0) {
                        lockStart = k.start;
                        lockNormStart = k.normStart;
                    }
                }
            }
        }
        int statementEnd = end == 0 ? 0 : t.get(end - 1).end;
        String normalized = lx.normalized.toString();
        Structure structure = null;
        if (kind.isDml() && variant != InsertVariant.REPLACE && normalized.length() <= MAX_CACHED_LENGTH
                && !lx.truncated && lx.maxDepth <= StructureReader.MAX_DEPTH) {
            int parseEnd = end;
            for (int i = first; i < end; i++) {
                if (t.get(i).depth == 0 && t.get(i).is("RETURNING") && kind != StatementKind.SELECT) {
                    parseEnd = i; // PostgreSQL's (and MariaDB's) RETURNING: what the write reports, not what it writes
                    break;
                }
            }
            String parseText = lockNormStart >= 0 ? normalized.substring(0, lockNormStart)
                    : (parseEnd < t.size() ? normalized.substring(0, t.get(parseEnd).normStart).stripTrailing() : normalized);
            structure = structureOf(parseText, kind, syntax);
        }
        boolean rewritable = kind == StatementKind.SELECT && lock == LockMode.NONE && !multi && !lx.versionComment
                && first == 0 && structure != null && structure.table() != null && statementEnd > 0
                && plainSelectGrammar(t, end);
        return new SqlShape(kind, lock, variant, normalized, lx.slots.toArray(), lx.paramCount, set,
                implicitCommit, namedLock, releasesNamedLock, structure, lockStart, rewritable ? statementEnd : -1, syntax);
    }

    /**
     * Whether a lock clause may be appended after the last token: no top-level {@code INTO} (a SELECT
     * … INTO takes its lock clause elsewhere), {@code PROCEDURE} or set operation.
     */
    private static boolean plainSelectGrammar(List<Token> t, int end) {
        for (int i = 0; i < end; i++) {
            Token k = t.get(i);
            if (k.depth == 0 && (k.is("INTO") || k.is("PROCEDURE") || k.is("UNION") || k.is("EXCEPT")
                    || k.is("INTERSECT"))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The structure of a normalised text. A normalised text holds no strings or comments any more, so the
     * MySQL/MariaDB syntaxes read it alike (names in backquotes or double quotes); PostgreSQL's operators
     * ({@code #}, {@code ??}, {@code @}) read differently, so its texts are cached apart.
     */
    private static Structure structureOf(String parseText, StatementKind kind, Syntax syntax) {
        String key = syntax.postgres ? "\u0001" + parseText : parseText;
        Structure s = BY_NORMALIZED.get(key);
        if (s == null) {
            s = StructureReader.read(parseText, kind, syntax.postgres ? Syntax.POSTGRESQL : Syntax.MYSQL_ANSI_QUOTES);
            BY_NORMALIZED.put(key, s == null ? UNPARSED : s, 4L * parseText.length() + 400);
        }
        return s == UNPARSED ? null : s;
    }

    private static boolean word(List<Token> t, int i, int end, String w) {
        return i < end && t.get(i).is(w);
    }

    private static StatementKind mainVerbAfterWith(List<Token> t, int from, int end) {
        for (int i = from; i < end; i++) {
            Token k = t.get(i);
            if (k.depth == 0 && k.type == Lexer.WORD) {
                if (k.is("SELECT")) {
                    return StatementKind.SELECT;
                }
                if (k.is("UPDATE")) {
                    return StatementKind.UPDATE;
                }
                if (k.is("DELETE")) {
                    return StatementKind.DELETE;
                }
            }
        }
        return StatementKind.OTHER;
    }

    private static InsertVariant insertVariant(List<Token> t, int from, int end) {
        boolean ignore = false;
        boolean select = false;
        boolean seenTarget = false;
        for (int i = from; i < end; i++) {
            Token k = t.get(i);
            if (k.depth != 0) {
                continue;
            }
            if (k.is("IGNORE") && !seenTarget) {
                ignore = true;
            } else if (k.is("ON") && word(t, i + 1, end, "DUPLICATE") && word(t, i + 2, end, "KEY")) {
                return InsertVariant.ON_DUPLICATE_KEY_UPDATE;
            } else if (k.is("ON") && word(t, i + 1, end, "CONFLICT")) {
                return onConflict(t, i + 2, end);
            } else if (k.is("VALUES") || k.is("VALUE") || k.is("SET")) {
                seenTarget = true;
            } else if ((k.is("SELECT") || k.is("TABLE") || k.is("WITH")) && !seenTarget) {
                select = true;
                seenTarget = true;
            }
        }
        if (ignore) {
            return InsertVariant.IGNORE;
        }
        return select ? InsertVariant.SELECT : InsertVariant.PLAIN;
    }

    /** PostgreSQL's {@code ON CONFLICT [target] DO NOTHING | DO UPDATE …}. */
    private static InsertVariant onConflict(List<Token> t, int from, int end) {
        for (int i = from; i < end; i++) {
            if (t.get(i).depth == 0 && t.get(i).is("DO")) {
                return word(t, i + 1, end, "NOTHING") ? InsertVariant.ON_CONFLICT_DO_NOTHING
                        : InsertVariant.ON_CONFLICT_DO_UPDATE;
            }
        }
        return InsertVariant.ON_CONFLICT_DO_UPDATE;
    }
}
