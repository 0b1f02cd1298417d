package io.jdbcguard.sql;

import java.util.Arrays;

/**
 * One pass over a plain text (no comments, quoted names, variables, escapes, character-set prefixes,
 * decimals or statement separators) that yields exactly what the {@link Lexer} would for it: the
 * normalised text, the slots and the end of the last token. A new text that differs from a known one only
 * in its literals then takes that one's shape without being lexed ({@link SqlShapes#of}); any text this
 * scan is not sure of is declined ({@code null}) and lexed.
 */
final class LiteralScan {

    final String normalized;
    final Object[] slots;
    final int paramCount;
    /** Offset after the last character of the last token. */
    final int statementEnd;

    private LiteralScan(String normalized, Object[] slots, int paramCount, int statementEnd) {
        this.normalized = normalized;
        this.slots = slots;
        this.paramCount = paramCount;
        this.statementEnd = statementEnd;
    }

    private static final Object[] NO_SLOTS = new Object[0];

    /** Scans a text, or {@code null} when it holds anything but the plain forms this scan knows. */
    static LiteralScan of(String sql) {
        int n = sql.length();
        StringBuilder out = new StringBuilder(n);
        Object[] slots = NO_SLOTS;
        int slotCount = 0;
        int params = 0;
        boolean gap = false;
        int end = 0;
        int pos = 0;
        while (pos < n) {
            char c = sql.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                gap = true;
                pos++;
                continue;
            }
            if (gap && out.length() > 0) {
                out.append(' ');
            }
            gap = false;
            if (isLetter(c)) {
                int start = pos;
                while (pos < n && isWordChar(sql.charAt(pos))) {
                    pos++;
                }
                if (pos < n && (sql.charAt(pos) == '\'' || sql.charAt(pos) == '"' || sql.charAt(pos) > 0x7f)) {
                    return null; // x'…', n'…', _utf8'…', or a word running on in non-ASCII letters
                }
                out.append(sql, start, pos);
            } else if (c >= '0' && c <= '9') {
                int start = pos;
                while (pos < n && sql.charAt(pos) >= '0' && sql.charAt(pos) <= '9') {
                    pos++;
                }
                if (pos - start > 18 || pos < n && (isWordChar(sql.charAt(pos)) || sql.charAt(pos) == '.'
                        || sql.charAt(pos) > 0x7f)) {
                    return null; // long, decimal, hex, exponent, or a name like 1st_table
                }
                slots = add(slots, slotCount++, new Lexer.Literal(Long.parseLong(sql, start, pos, 10)));
                out.append('?');
            } else if (c == '\'') {
                int close = pos + 1;
                while (close < n && sql.charAt(close) != '\'') {
                    if (sql.charAt(close) == '\\') {
                        return null; // an escape
                    }
                    close++;
                }
                if (close >= n || close + 1 < n && sql.charAt(close + 1) == '\'') {
                    return null; // unterminated, or a doubled quote
                }
                slots = add(slots, slotCount++, new Lexer.Literal(sql.substring(pos + 1, close)));
                out.append('?');
                pos = close + 1;
            } else if (c == '?') {
                slots = add(slots, slotCount++, ++params);
                out.append('?');
                pos++;
            } else if (isOperator(c)) {
                char next = pos + 1 < n ? sql.charAt(pos + 1) : '\0';
                if (c == '-' && next == '-' || c == '/' && next == '*' || c == '.' && next >= '0' && next <= '9') {
                    return null; // a comment, or a number starting with '.'
                }
                out.append(c);
                pos++;
            } else {
                return null;
            }
            end = pos;
        }
        return new LiteralScan(out.toString(), slotCount == slots.length ? slots : Arrays.copyOf(slots, slotCount),
                params, end);
    }

    private static Object[] add(Object[] slots, int at, Object slot) {
        Object[] s = at < slots.length ? slots : Arrays.copyOf(slots, Math.max(4, slots.length * 2));
        s[at] = slot;
        return s;
    }

    private static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$';
    }

    private static boolean isWordChar(char c) {
        return isLetter(c) || c >= '0' && c <= '9';
    }

    private static boolean isOperator(char c) {
        return ",.=<>!+-*/%():&|^~".indexOf(c) >= 0;
    }

    /** Whether a shape made by the lexer from a scanned text may serve other texts with other literals. */
    boolean agreesWith(SqlShape lexed) {
        if (!lexed.normalized().equals(normalized) || lexed.slotCount() != slots.length || lexed.paramCount() != paramCount
                || lexed.kind() == StatementKind.SET || lexed.lock() != LockMode.NONE || lexed.lockClauseStart() >= 0) {
            return false; // a SET's meaning depends on its values; a lock clause's offset on the text
        }
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] instanceof Integer != lexed.slot(i + 1).paramIndex() > 0) {
                return false;
            }
        }
        return lexed.statementEnd() < 0 || lexed.statementEnd() == statementEnd;
    }
}
