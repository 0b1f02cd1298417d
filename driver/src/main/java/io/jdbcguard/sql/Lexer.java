package io.jdbcguard.sql;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A small SQL lexer for the {@link Syntax} of a connection (MySQL/MariaDB in their {@code sql_mode}s,
 * PostgreSQL). It strips comments and optimizer hints, expands MySQL's version comments
 * ({@code /*!50000 IGNORE *}{@code /}), replaces every literal with {@code ?} and records, for each
 * {@code ?} of that normalised text, whether it stands for a JDBC parameter or a literal value.
 *
 * <p>It never fails: text it does not understand becomes operator tokens.
 */
final class Lexer {

    static final int WORD = 0;
    static final int QUOTED_ID = 1;
    static final int LITERAL = 2;
    static final int PARAM = 3;
    static final int VARIABLE = 4;
    static final int OP = 5;
    /** A numeric literal longer than this keeps its text as value instead of a number. */
    static final int MAX_NUMBER_DIGITS = 64;

    /** One token; for literals {@link #value} is the literal's value, for words and quoted ids the name. */
    static final class Token {
        final int type;
        final String text;
        final Object value;
        /** Position in the original SQL. */
        final int start;
        final int end;
        /** Paren depth at this token (an opening paren has the outer depth). */
        final int depth;
        /** Position in the normalised text. */
        final int normStart;

        Token(int type, String text, Object value, int start, int end, int depth, int normStart) {
            this.type = type;
            this.text = text;
            this.value = value;
            this.start = start;
            this.end = end;
            this.depth = depth;
            this.normStart = normStart;
        }

        boolean is(String word) {
            return type == WORD && text.equalsIgnoreCase(word);
        }

        boolean isOp(char c) {
            return type == OP && text.length() == 1 && text.charAt(0) == c;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    final List<Token> tokens = new ArrayList<>();
    final StringBuilder normalized = new StringBuilder();
    /** For each {@code ?} in {@link #normalized}: {@code Integer} JDBC parameter index, or the literal. */
    final List<Object> slots = new ArrayList<>();
    int paramCount;
    /** The deepest parenthesis nesting seen. */
    int maxDepth;
    /** Whether the text has a version or executable comment ({@code /*!…}, {@code /*M!…}): its grammar depends on the server. */
    boolean versionComment;
    /** Whether lexing stopped at the length limit before the end of the text. */
    boolean truncated;

    private final String sql;
    private final Syntax syntax;
    /** Where lexing stops: the text's length, or the limit. */
    private final int limit;
    private int pos;
    private boolean gap;
    private int depth;

    private Lexer(String sql, int limit, Syntax syntax) {
        this.sql = sql;
        this.syntax = syntax;
        this.limit = Math.min(sql.length(), limit);
    }

    static Lexer lex(String sql) {
        return lex(sql, Integer.MAX_VALUE, Syntax.MYSQL);
    }

    /**
     * Lexes at most the first {@code limit} characters (a token that runs past it is cut there), so the
     * cost is linear in {@code min(length, limit)} whatever the text.
     */
    static Lexer lex(String sql, int limit, Syntax syntax) {
        Lexer l = new Lexer(sql, limit, syntax);
        l.run();
        l.truncated = l.limit < sql.length();
        return l;
    }

    private void run() {
        boolean inVersionComment = false;
        int n = limit;
        while (pos < n) {
            char c = sql.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
                gap = true;
            } else if (c == '/' && peek(1) == '*' && syntax.postgres) {
                nestedComment();
                gap = true;
            } else if (c == '/' && peek(1) == '*') {
                if (peek(2) == '!' || (peek(2) == 'M' && peek(3) == '!')) {
                    // MySQL's version comment /*!50000 … */ and MariaDB's executable comment /*M!100100 … */:
                    // the server runs their content, so the lexer reads it as text.
                    pos += peek(2) == '!' ? 3 : 4;
                    while (pos < n && Character.isDigit(sql.charAt(pos))) {
                        pos++;
                    }
                    inVersionComment = true;
                    versionComment = true;
                } else {
                    int close = sql.indexOf("*/", pos + 2);
                    pos = close < 0 || close + 2 > n ? n : close + 2;
                }
                gap = true;
            } else if (c == '*' && peek(1) == '/' && inVersionComment) {
                pos += 2;
                inVersionComment = false;
                gap = true;
            } else if ((c == '#' && !syntax.postgres) || (c == '-' && peek(1) == '-'
                    && (syntax.postgres || pos + 2 >= n || Character.isWhitespace(sql.charAt(pos + 2))))) {
                int eol = sql.indexOf('\n', pos);
                pos = eol < 0 || eol >= n ? n : eol + 1;
                gap = true;
            } else if (c == '\'' || (c == '"' && !syntax.doubleQuotedNames)) {
                int start = pos;
                String s = quoted(c, syntax.backslashEscapes);
                literal(s, start);
            } else if (c == '"') {
                int start = pos;
                String name = quoted('"', false);
                emit(QUOTED_ID, sql.substring(start, pos), name, start);
            } else if (c == '$' && syntax.postgres && dollarQuote()) {
                continue;
            } else if (c == '?' && syntax.postgres && peek(1) == '?') {
                int start = pos;
                pos += 2;
                emit(OP, "??", null, start); // pgJDBC's escape for PostgreSQL's ? operator: no parameter
            } else if (c == '@' && syntax.postgres) {
                int start = pos++;
                emit(OP, "@", null, start);
            } else if (c == '`') {
                int start = pos;
                String name = quoted('`', false);
                emit(QUOTED_ID, sql.substring(start, pos), name, start);
            } else if (c == '?') {
                int start = pos++;
                paramCount++;
                slots.add(paramCount);
                emit(PARAM, "?", paramCount, start);
            } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(peek(1)) && !lastIsName())) {
                number();
            } else if (c == '@') {
                int start = pos++;
                if (peek(0) == '@') {
                    pos++;
                }
                if (peek(0) == '`' || peek(0) == '\'' || peek(0) == '"') {
                    quoted(sql.charAt(pos), syntax.backslashEscapes);
                } else {
                    while (pos < limit && (isWordChar(sql.charAt(pos)) || sql.charAt(pos) == '.')) {
                        pos++;
                    }
                }
                emit(VARIABLE, sql.substring(start, pos), null, start);
            } else if (isWordChar(c) && !(c == '$' && syntax.postgres)) {
                int start = pos;
                while (pos < n && isWordChar(sql.charAt(pos))) {
                    pos++;
                }
                String word = sql.substring(start, pos);
                char next = peek(0);
                if (next == '\'' && (word.equalsIgnoreCase("x") || word.equalsIgnoreCase("b"))) {
                    String s = quoted('\'', syntax.backslashEscapes);
                    literal(word.toUpperCase() + "'" + s + "'", start);
                } else if (next == '\'' && syntax.postgres && word.equalsIgnoreCase("e")) {
                    literal(quoted('\'', true), start); // E'…': PostgreSQL's string with escapes
                } else if ((next == '\'' || next == '"' && !syntax.doubleQuotedNames)
                        && (word.equalsIgnoreCase("n") || (word.charAt(0) == '_' && !syntax.postgres))) {
                    literal(quoted(next, syntax.backslashEscapes), start);
                } else {
                    emit(WORD, word, word, start);
                }
            } else {
                int start = pos++;
                if (c == '(') {
                    emit(OP, "(", null, start);
                    depth++;
                    if (depth > maxDepth) {
                        maxDepth = depth;
                    }
                } else if (c == ')') {
                    depth = Math.max(0, depth - 1);
                    emit(OP, ")", null, start);
                } else {
                    emit(OP, String.valueOf(c), null, start);
                }
            }
        }
    }

    private boolean lastIsName() {
        if (tokens.isEmpty()) {
            return false;
        }
        int t = tokens.get(tokens.size() - 1).type;
        return (t == WORD || t == QUOTED_ID) && !gap;
    }

    private char peek(int ahead) {
        int p = pos + ahead;
        return p < limit ? sql.charAt(p) : '\0';
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 0x7f;
    }

    /** PostgreSQL's block comments nest: {@code /* a /* b *}{@code / c *}{@code /} is one comment. */
    private void nestedComment() {
        int level = 0;
        int n = limit;
        while (pos < n) {
            if (sql.charAt(pos) == '/' && peek(1) == '*') {
                level++;
                pos += 2;
            } else if (sql.charAt(pos) == '*' && peek(1) == '/') {
                pos += 2;
                if (--level == 0) {
                    return;
                }
            } else {
                pos++;
            }
        }
    }

    /**
     * At a {@code $}: reads PostgreSQL's dollar-quoted string ({@code $$…$$}, {@code $tag$…$tag$}) as one
     * literal and returns true; false (nothing read) when the {@code $} opens no such string.
     */
    private boolean dollarQuote() {
        int start = pos;
        int p = pos + 1;
        while (p < limit && (Character.isLetter(sql.charAt(p)) || sql.charAt(p) == '_'
                || (p > pos + 1 && Character.isDigit(sql.charAt(p))))) {
            p++;
        }
        if (p >= limit || sql.charAt(p) != '$') {
            return false;
        }
        String tag = sql.substring(start, p + 1);
        int close = sql.indexOf(tag, p + 1);
        int contentEnd = close < 0 || close + tag.length() > limit ? limit : close;
        String content = sql.substring(p + 1, contentEnd);
        pos = contentEnd == limit ? limit : close + tag.length();
        literal(content, start);
        return true;
    }

    /** Reads a quoted run starting at {@code pos}, returns its unescaped content. */
    private String quoted(char q, boolean backslashEscapes) {
        StringBuilder sb = new StringBuilder();
        pos++;
        int n = limit;
        while (pos < n) {
            char c = sql.charAt(pos);
            if (c == '\\' && backslashEscapes && q != '`' && pos + 1 < n) {
                char e = sql.charAt(pos + 1);
                switch (e) {
                    case 'n': sb.append('\n'); break;
                    case 't': sb.append('\t'); break;
                    case 'r': sb.append('\r'); break;
                    case '0': sb.append('\0'); break;
                    default: sb.append(e);
                }
                pos += 2;
            } else if (c == q) {
                if (peek(1) == q) {
                    sb.append(q);
                    pos += 2;
                } else {
                    pos++;
                    return sb.toString();
                }
            } else {
                sb.append(c);
                pos++;
            }
        }
        return sb.toString();
    }

    private void number() {
        int start = pos;
        int n = limit;
        if (sql.charAt(pos) == '0' && (peek(1) == 'x' || peek(1) == 'X' || peek(1) == 'b' || peek(1) == 'B')
                && isWordChar(peek(2))) {
            pos += 2;
            while (pos < n && Character.isLetterOrDigit(sql.charAt(pos))) {
                pos++;
            }
            literal(sql.substring(start, pos), start);
            return;
        }
        while (pos < n && Character.isDigit(sql.charAt(pos))) {
            pos++;
        }
        boolean decimal = false;
        if (pos < n && sql.charAt(pos) == '.') {
            decimal = true;
            pos++;
            while (pos < n && Character.isDigit(sql.charAt(pos))) {
                pos++;
            }
        }
        if (pos < n && (sql.charAt(pos) == 'e' || sql.charAt(pos) == 'E')
                && (Character.isDigit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && Character.isDigit(peek(2))))) {
            decimal = true;
            pos += 2;
            while (pos < n && Character.isDigit(sql.charAt(pos))) {
                pos++;
            }
        }
        if (pos < n && isWordChar(sql.charAt(pos)) && !decimal) {
            // An identifier that starts with digits, e.g. 1st_table.
            while (pos < n && isWordChar(sql.charAt(pos))) {
                pos++;
            }
            String word = sql.substring(start, pos);
            emit(WORD, word, word, start);
            return;
        }
        String text = sql.substring(start, pos);
        Object value;
        if (text.length() > MAX_NUMBER_DIGITS) {
            // Converting a long digit run is quadratic; such a value is kept as its text.
            value = text;
        } else if (text.length() < 19 && !decimal) {
            value = Long.parseLong(text);
        } else {
            try {
                value = new BigDecimal(text);
            } catch (NumberFormatException e) {
                value = text; // an exponent past what BigDecimal holds (1e99999999999): kept as its text
            }
        }
        literal(value, start);
    }

    private void literal(Object value, int start) {
        slots.add(new Literal(value));
        emit(LITERAL, "?", value, start);
    }

    private void emit(int type, String text, Object value, int start) {
        if (gap && normalized.length() > 0) {
            normalized.append(' ');
        }
        gap = false;
        int normStart = normalized.length();
        normalized.append(text);
        tokens.add(new Token(type, text, value, start, pos, depth, normStart));
    }

    /** A literal value in a slot, told apart from a JDBC parameter index. */
    static final class Literal {
        final Object value;

        Literal(Object value) {
            this.value = value;
        }
    }
}
