package io.jdbcguard.sql;

import io.jdbcguard.sql.Lexer.Token;
import io.jdbcguard.sql.Structure.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The token level of the structure reader: names ({@code a.b.c}, quoted or not), values (a {@code ?}
 * slot), top-level splitting at commas, clause keywords, parenthesis matching. Each step looks at each
 * token at most once.
 */
abstract class TokenReader {

    /** Thrown (without a stack trace) where the text leaves the grammar the reader knows. */
    static final class Unknown extends RuntimeException {
        Unknown() {
            super(null, null, false, false);
        }
    }

    static final Unknown UNKNOWN = new Unknown();

    /** Words that are never column names inside an expression. */
    static final Set<String> KEYWORDS = Set.of("AND", "OR", "NOT", "XOR", "IS", "NULL", "TRUE", "FALSE",
            "UNKNOWN", "IN", "LIKE", "ESCAPE", "BETWEEN", "EXISTS", "SELECT", "FROM", "WHERE", "AS", "CASE", "WHEN",
            "THEN", "ELSE", "END", "INTERVAL", "DIV", "MOD", "REGEXP", "RLIKE", "SOUNDS", "COLLATE", "BINARY",
            "DISTINCT", "ALL", "ANY", "SOME", "ON", "USING", "JOIN", "LEFT", "RIGHT", "INNER", "OUTER", "CROSS",
            "GROUP", "BY", "ORDER", "HAVING", "LIMIT", "OFFSET", "ASC", "DESC", "DEFAULT", "CURRENT_TIMESTAMP",
            "CURRENT_DATE", "CURRENT_TIME", "CURRENT_USER", "LOCALTIME", "LOCALTIMESTAMP", "UTC_TIMESTAMP",
            "UTC_DATE", "UTC_TIME", "MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER",
            "YEAR", "SECOND_MICROSECOND", "MINUTE_MICROSECOND", "MINUTE_SECOND", "HOUR_MICROSECOND", "HOUR_SECOND",
            "HOUR_MINUTE", "DAY_MICROSECOND", "DAY_SECOND", "DAY_MINUTE", "DAY_HOUR", "YEAR_MONTH", "MEMBER", "OF",
            "ROW", "ROWS", "UNION", "CHAR", "SIGNED", "UNSIGNED", "DECIMAL", "DATE", "DATETIME", "TIME", "JSON");
    /** Modifiers that may follow {@code SELECT}. */
    static final Set<String> SELECT_MODIFIERS = Set.of("DISTINCT", "ALL", "DISTINCTROW", "HIGH_PRIORITY",
            "STRAIGHT_JOIN", "SQL_SMALL_RESULT", "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_CACHE", "SQL_NO_CACHE",
            "SQL_CALC_FOUND_ROWS");
    /** Words that end a SELECT's FROM or WHERE clause. */
    static final Set<String> SELECT_CLAUSES = Set.of("WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT",
            "OFFSET", "FETCH", "FOR", "LOCK", "INTO", "PROCEDURE");
    /** Words that end an UPDATE's or DELETE's WHERE clause. */
    static final Set<String> WRITE_CLAUSES = Set.of("WHERE", "ORDER", "LIMIT", "RETURNING");
    /** Words that make a FROM clause more than one table. */
    static final Set<String> JOIN_WORDS = Set.of("JOIN", "LEFT", "RIGHT", "INNER", "OUTER", "CROSS",
            "NATURAL", "STRAIGHT_JOIN", "FULL");

    final List<Token> t;
    /** For each opening parenthesis, the index of its closing one (-1 if unbalanced); 0 elsewhere. */
    final int[] match;

    TokenReader(List<Token> tokens) {
        this.t = tokens;
        this.match = new int[tokens.size()];
        int[] stack = new int[tokens.size() + 1];
        int top = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token k = tokens.get(i);
            if (k.isOp('(')) {
                stack[top++] = i;
                match[i] = -1;
            } else if (k.isOp(')')) {
                if (top == 0) {
                    throw UNKNOWN;
                }
                match[stack[--top]] = i;
            }
        }
        if (top != 0) {
            throw UNKNOWN;
        }
    }

    /**
     * A table reference {@code [schema.]name [[AS] alias]} with optional index hints and partitions; the
     * index after it goes to {@code next[0]} (where a join may start). Returns {@code {TableName, alias}},
     * or {@code null} for a comma-separated list of tables or a derived table.
     */
    Object[] tableRef(int from, int to, int[] next) {
        if (from >= to) {
            throw UNKNOWN;
        }
        if (!isName(from)) {
            next[0] = to;
            return null;
        }
        TableName table = qualifiedTable(from, to, next);
        int i = next[0];
        String alias = null;
        if (i + 1 < to && t.get(i).is("AS") && isName(i + 1)) {
            alias = name(i + 1);
            i += 2;
        } else if (i < to && t.get(i).type == Lexer.QUOTED_ID
                || i < to && word(i) && !isClauseWord(i) && !JOIN_WORDS.contains(upper(i)) && !t.get(i).is("SET")
                && !t.get(i).is("USE") && !t.get(i).is("FORCE") && !t.get(i).is("IGNORE") && !t.get(i).is("PARTITION")
                && !t.get(i).is("USING")) {
            alias = name(i);
            i++;
        }
        while (i + 1 < to && (t.get(i).is("USE") || t.get(i).is("FORCE") || t.get(i).is("IGNORE"))
                && (t.get(i + 1).is("INDEX") || t.get(i + 1).is("KEY"))) {
            i += 2;
            if (i + 1 < to && t.get(i).is("FOR")) {
                i += t.get(i + 1).is("GROUP") || t.get(i + 1).is("ORDER") ? 3 : 2;
            }
            i = skipParens(i, to);
        }
        next[0] = i;
        if (i < to && t.get(i).isOp(',')) {
            next[0] = to;
            return null;
        }
        return new Object[] {table, alias}; // a join word may follow at next[0]: the caller decides
    }

    TableName qualifiedTable(int from, int to, int[] next) {
        int end = nameEnd(from, to);
        if (end < 0 || end - from > 3) {
            throw UNKNOWN;
        }
        next[0] = end;
        return end - from == 3 ? new TableName(name(from), name(from + 2)) : new TableName(null, name(from));
    }

    int skipParens(int i, int to) {
        if (i >= to || !t.get(i).isOp('(')) {
            throw UNKNOWN;
        }
        return match[i] + 1;
    }

    /** The end of a dotted name {@code a[.b[.c]]} starting at {@code from}, or -1 if none starts there. */
    int nameEnd(int from, int to) {
        if (from >= to || !isName(from)) {
            return -1;
        }
        int i = from + 1;
        while (i + 1 < to && t.get(i).isOp('.') && isName(i + 1)) {
            i += 2;
        }
        return i;
    }

    /** A column written as a (possibly qualified) name that spans exactly {@code [from, to)}. */
    String columnOf(int from, int to) {
        if (nameEnd(from, to) != to) {
            throw UNKNOWN;
        }
        return lastName(from, to);
    }

    /** Whether the qualified name in {@code [from, to)} is unqualified, or qualified by the table or its alias. */
    boolean onTable(int from, int to, TableName table, String alias) {
        if (to - from < 3) {
            return true;
        }
        String q = name(to - 3);
        return q.equals(table.name()) || q.equals(alias);
    }

    String lastName(int from, int to) {
        return name(to - 1);
    }

    /** The slot of a value that is one {@code ?} (in parentheses or not), else 0. */
    int valueSlot(int from, int to) {
        while (to - from > 2 && t.get(from).isOp('(') && match[from] == to - 1) {
            from++;
            to--;
        }
        return to - from == 1 && t.get(from).type == Lexer.PARAM ? slot(from) : 0;
    }

    int slot(int i) {
        return (Integer) t.get(i).value;
    }

    /**
     * The first top-level {@code =} in the range, or -1 when there is none or it is part of another
     * operator ({@code <=}, {@code >=}, {@code !=}, {@code <=>}, {@code :=}).
     */
    int find(int from, int to) {
        int depth = t.get(from).depth;
        for (int i = from; i < to; i++) {
            Token k = t.get(i);
            if (k.depth == depth && k.isOp('=')) {
                Token prev = i > from ? t.get(i - 1) : null;
                Token next = i + 1 < to ? t.get(i + 1) : null;
                boolean compound = prev != null && prev.end == k.start
                        && (prev.isOp('<') || prev.isOp('>') || prev.isOp('!') || prev.isOp(':'))
                        || next != null && next.start == k.end && next.isOp('>');
                return compound ? -1 : i;
            }
        }
        return -1;
    }

    /** The {@code =} of an assignment {@code column = value}. */
    int assignment(int from, int to) {
        int eq = find(from, to);
        if (eq <= from || eq >= to - 1) {
            throw UNKNOWN;
        }
        return eq;
    }

    /** Splits a range at its top-level commas. */
    List<int[]> split(int from, int to, int depth) {
        List<int[]> parts = new ArrayList<>();
        int start = from;
        for (int i = from; i < to; i++) {
            Token k = t.get(i);
            if (k.depth == depth && k.isOp(',')) {
                if (i == start) {
                    throw UNKNOWN;
                }
                parts.add(new int[] {start, i});
                start = i + 1;
            }
        }
        if (start < to) {
            parts.add(new int[] {start, to});
        } else if (!parts.isEmpty()) {
            throw UNKNOWN;
        }
        return parts;
    }

    int nextClause(int from, int to, int depth, Set<String> clauses) {
        for (int i = from; i < to; i++) {
            if (isClauseAt(i, depth, clauses)) {
                return i;
            }
        }
        return to;
    }

    boolean isClauseAt(int i, int depth, Set<String> clauses) {
        Token k = t.get(i);
        return k.depth == depth && k.type == Lexer.WORD && clauses.contains(upper(i));
    }

    boolean isClauseWord(int i) {
        return SELECT_CLAUSES.contains(upper(i)) || WRITE_CLAUSES.contains(upper(i)) || t.get(i).is("ON");
    }

    boolean isName(int i) {
        Token k = t.get(i);
        return k.type == Lexer.QUOTED_ID || k.type == Lexer.WORD;
    }

    boolean word(int i) {
        return t.get(i).type == Lexer.WORD;
    }

    boolean isKeyword(int i) {
        return word(i) && KEYWORDS.contains(upper(i));
    }

    String upper(int i) {
        return t.get(i).text.toUpperCase(Locale.ROOT);
    }

    /** A name as the rules compare it: without quotes, lower case. */
    String name(int i) {
        return ((String) t.get(i).value).toLowerCase(Locale.ROOT);
    }
}
