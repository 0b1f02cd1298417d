package io.jdbcguard.sql;

import io.jdbcguard.sql.Lexer.Token;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns statement texts into {@link SqlShape}s. Every new text is lexed and classified by hand
 * (fractions of a microsecond); its structure comes from JSqlParser only when its normalised text is
 * not cached yet. Both caches are bounded.
 */
public final class SqlShapes {

    /** Texts longer than this are classified but neither cached nor parsed for structure. */
    static final int MAX_CACHED_LENGTH = 8192;
    /** Entries per cache; a full cache is emptied and refilled (cheap, and bounded without bookkeeping). */
    public static final int MAX_ENTRIES = 4096;

    private static final BoundedCache<String, SqlShape> BY_TEXT = new BoundedCache<>(MAX_ENTRIES);
    private static final BoundedCache<String, Structure> BY_NORMALIZED = new BoundedCache<>(MAX_ENTRIES);
    private static final Structure UNPARSED = new Structure(null, List.of(), false, java.util.Set.of(),
            Structure.SelectForm.NONE, 0, List.of(), List.of(), List.of(), List.of());

    private SqlShapes() {
    }

    /** The shape of a statement text; never throws for any text. */
    public static SqlShape of(String sql) {
        SqlShape shape = BY_TEXT.get(sql);
        if (shape == null) {
            shape = classify(sql);
            if (sql.length() <= MAX_CACHED_LENGTH) {
                BY_TEXT.put(sql, shape);
            }
        }
        return shape;
    }

    /** How many entries the two caches hold now (texts, normalised texts). */
    public static int[] cacheSizes() {
        return new int[] {BY_TEXT.size(), BY_NORMALIZED.size()};
    }

    static SqlShape classify(String sql) {
        Lexer lx = Lexer.lex(sql);
        List<Token> t = lx.tokens;
        int end = t.size();
        // A trailing ';' ends the statement; anything after a top-level ';' is a second statement.
        for (int i = 0; i < t.size(); i++) {
            if (t.get(i).isOp(';') && t.get(i).depth == 0) {
                end = i;
                break;
            }
        }
        boolean multi = end < t.size() - 1;
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
                    } else if (k.is("FOR") && word(t, i + 1, end, "SHARE")) {
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
        if (kind.isDml() && variant != InsertVariant.REPLACE && normalized.length() <= MAX_CACHED_LENGTH) {
            String parseText = lockNormStart >= 0 ? normalized.substring(0, lockNormStart)
                    : (end < t.size() ? normalized.substring(0, t.get(end).normStart) : normalized);
            structure = structureOf(parseText, kind);
        }
        return new SqlShape(kind, lock, variant, normalized, lx.slots.toArray(), lx.paramCount, set,
                implicitCommit, namedLock, releasesNamedLock, structure, lockStart, statementEnd);
    }

    private static Structure structureOf(String parseText, StatementKind kind) {
        Structure s = BY_NORMALIZED.get(parseText);
        if (s == null) {
            s = StructureReader.read(parseText, kind);
            BY_NORMALIZED.put(parseText, s == null ? UNPARSED : s);
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

    /** A map that never grows past its bound: when full it is emptied. */
    static final class BoundedCache<K, V> {
        private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();
        private final int max;

        BoundedCache(int max) {
            this.max = max;
        }

        V get(K key) {
            return map.get(key);
        }

        void put(K key, V value) {
            if (map.size() >= max) {
                map.clear();
            }
            map.put(key, value);
        }

        int size() {
            return map.size();
        }
    }
}
