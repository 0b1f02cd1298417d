package io.jdbcguard.sql;

import java.util.Arrays;

/**
 * One pass over a plain text (no comments, quoted names, variables, escapes, character-set prefixes,
 * decimals or statement separators) that yields exactly what the {@link Lexer} would for it: the
 * normalised text (as a {@link Key}, hashed on the way), the slots and the end of the last token. A new
 * text that differs from a known one only in its literals then takes that one's shape without being
 * lexed ({@link SqlShapes#of}); any text this scan is not sure of is declined ({@code null}) and lexed.
 */
final class LiteralScan {

    final Key normalized;
    final Object[] slots;
    final int paramCount;
    /** Offset after the last character of the last token. */
    final int statementEnd;

    private LiteralScan(Key normalized, Object[] slots, int paramCount, int statementEnd) {
        this.normalized = normalized;
        this.slots = slots;
        this.paramCount = paramCount;
        this.statementEnd = statementEnd;
    }

    /** A normalised text as characters with their hash: looked up without making a String of it. */
    static final class Key {
        private final char[] chars;
        private final int length;
        private final int hash;

        Key(char[] chars, int length, int hash) {
            this.chars = chars;
            this.length = length;
            this.hash = hash;
        }

        static Key of(String s) {
            return new Key(s.toCharArray(), s.length(), s.hashCode());
        }

        /** A copy that holds only its own characters, for keeping in a cache. */
        Key kept() {
            return chars.length == length ? this : new Key(Arrays.copyOf(chars, length), length, hash);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.length == length
                    && Arrays.equals(chars, 0, length, k.chars, 0, length);
        }

        @Override
        public String toString() {
            return new String(chars, 0, length);
        }
    }

    private static final Object[] NO_SLOTS = new Object[0];

    private static final byte OTHER = 0;
    private static final byte SPACE = 1;
    private static final byte LETTER = 2;
    private static final byte DIGIT = 3;
    private static final byte OPERATOR = 4;
    /** What each ASCII character is to the scan; anything else is declined. */
    private static final byte[] CLASS = new byte[128];

    static {
        for (char c : " \t\n\r".toCharArray()) {
            CLASS[c] = SPACE;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            CLASS[c] = LETTER;
            CLASS[Character.toUpperCase(c)] = LETTER;
        }
        CLASS['_'] = LETTER; // '$' is declined: PostgreSQL's dollar quotes and $1 read differently
        for (char c = '0'; c <= '9'; c++) {
            CLASS[c] = DIGIT;
        }
        for (char c : ",.=<>!+-*/%():&|^~".toCharArray()) {
            CLASS[c] = OPERATOR;
        }
    }

    private static byte classOf(char c) {
        return c < 128 ? CLASS[c] : OTHER;
    }

    private static boolean isWordChar(char c) {
        byte k = classOf(c);
        return k == LETTER || k == DIGIT;
    }

    /** Scans a text, or {@code null} when it holds anything but the plain forms this scan knows. */
    static LiteralScan of(String sql) {
        int n = sql.length();
        char[] out = new char[n];
        int len = 0;
        int hash = 0;
        Object[] slots = NO_SLOTS;
        int slotCount = 0;
        int params = 0;
        boolean gap = false;
        int end = 0;
        int pos = 0;
        while (pos < n) {
            char c = sql.charAt(pos);
            byte k = classOf(c);
            if (k == SPACE) {
                gap = true;
                pos++;
                continue;
            }
            if (gap && len > 0) {
                out[len++] = ' ';
                hash = 31 * hash + ' ';
            }
            gap = false;
            if (k == LETTER) {
                do {
                    out[len++] = c;
                    hash = 31 * hash + c;
                    pos++;
                } while (pos < n && isWordChar(c = sql.charAt(pos)));
                if (pos < n && (c == '\'' || c == '"' || c > 0x7f)) {
                    return null; // x'…', n'…', _utf8'…', or a word running on in non-ASCII letters
                }
            } else if (k == DIGIT) {
                int start = pos;
                long value = 0;
                do {
                    value = value * 10 + (c - '0');
                    pos++;
                } while (pos < n && classOf(c = sql.charAt(pos)) == DIGIT);
                if (pos - start > 18 || pos < n && (isWordChar(c) || c == '.' || c > 0x7f)) {
                    return null; // long, decimal, hex, exponent, or a name like 1st_table
                }
                slots = add(slots, slotCount++, new Lexer.Literal(value));
                out[len++] = '?';
                hash = 31 * hash + '?';
            } else if (c == '\'') {
                int close = pos + 1;
                char q;
                while (close < n && (q = sql.charAt(close)) != '\'') {
                    if (q == '\\') {
                        return null; // an escape
                    }
                    close++;
                }
                if (close >= n || close + 1 < n && sql.charAt(close + 1) == '\'') {
                    return null; // unterminated, or a doubled quote
                }
                slots = add(slots, slotCount++, new Lexer.Literal(sql.substring(pos + 1, close)));
                out[len++] = '?';
                hash = 31 * hash + '?';
                pos = close + 1;
            } else if (c == '?') {
                if (pos + 1 < n && sql.charAt(pos + 1) == '?') {
                    return null; // pgJDBC's ?? operator escape
                }
                slots = add(slots, slotCount++, ++params);
                out[len++] = '?';
                hash = 31 * hash + '?';
                pos++;
            } else if (k == OPERATOR) {
                char next = pos + 1 < n ? sql.charAt(pos + 1) : '\0';
                if (c == '-' && next == '-' || c == '/' && next == '*' || c == '.' && next >= '0' && next <= '9') {
                    return null; // a comment, or a number starting with '.'
                }
                out[len++] = c;
                hash = 31 * hash + c;
                pos++;
            } else {
                return null;
            }
            end = pos;
        }
        return new LiteralScan(new Key(out, len, hash), slotCount == slots.length ? slots : Arrays.copyOf(slots, slotCount),
                params, end);
    }

    private static Object[] add(Object[] slots, int at, Object slot) {
        Object[] s = at < slots.length ? slots : Arrays.copyOf(slots, Math.max(4, slots.length * 2));
        s[at] = slot;
        return s;
    }

    /** Whether a shape made by the lexer from a scanned text may serve other texts with other literals. */
    boolean agreesWith(SqlShape lexed) {
        if (!normalized.toString().equals(lexed.normalized()) || lexed.slotCount() != slots.length
                || lexed.paramCount() != paramCount || lexed.kind() == StatementKind.SET || lexed.lock() != LockMode.NONE
                || lexed.lockClauseStart() >= 0) {
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
