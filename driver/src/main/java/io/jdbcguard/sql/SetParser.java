package io.jdbcguard.sql;

import io.jdbcguard.sql.Lexer.Token;
import java.util.List;
import java.util.Locale;

/**
 * Reads what a {@code SET} statement does to isolation and autocommit:
 * {@code SET [GLOBAL|SESSION|LOCAL] TRANSACTION ISOLATION LEVEL …},
 * {@code SET [GLOBAL|SESSION] transaction_isolation|tx_isolation = …},
 * {@code SET @@[global.|session.]transaction_isolation = …}, {@code SET autocommit = 0|1|ON|OFF},
 * several assignments separated by commas.
 */
final class SetParser {

    private SetParser() {
    }

    static SetInfo parse(List<Token> t, int from, int end) {
        int i = from;
        SetInfo.Scope scope = scopeWord(t, i, end);
        if (scope != null && i + 1 < end && t.get(i + 1).is("TRANSACTION")) {
            return transaction(t, i + 2, end, scope);
        }
        if (i < end && t.get(i).is("TRANSACTION")) {
            return transaction(t, i + 1, end, SetInfo.Scope.NEXT_TRANSACTION);
        }
        Isolation isolation = null;
        SetInfo.Scope isoScope = null;
        Boolean autocommit = null;
        Boolean snapshot = null;
        String modes = null;
        while (i < end) {
            SetInfo.Scope s = SetInfo.Scope.SESSION;
            SetInfo.Scope w = scopeWord(t, i, end);
            if (w != null) {
                s = w;
                i++;
            }
            if (i >= end) {
                break;
            }
            Token name = t.get(i);
            String var;
            if (name.type == Lexer.VARIABLE && name.text.startsWith("@@")) {
                var = name.text.substring(2).toLowerCase(Locale.ROOT);
                if (var.startsWith("global.")) {
                    s = SetInfo.Scope.GLOBAL;
                    var = var.substring(7);
                } else if (var.startsWith("session.") || var.startsWith("local.")) {
                    var = var.substring(var.indexOf('.') + 1);
                }
            } else if (name.type == Lexer.WORD) {
                var = name.text.toLowerCase(Locale.ROOT);
            } else {
                var = "";
            }
            i++;
            if (i < end && (t.get(i).isOp('=') || (t.get(i).isOp(':') && i + 1 < end && t.get(i + 1).isOp('=')))) {
                i += t.get(i).isOp(':') ? 2 : 1;
            }
            // The value runs to the next top-level comma.
            int valueStart = i;
            while (i < end && !(t.get(i).isOp(',') && t.get(i).depth == t.get(valueStart).depth)) {
                i++;
            }
            String value = valueText(t, valueStart, i);
            if (var.equals("transaction_isolation") || var.equals("tx_isolation")) {
                Isolation parsed = Isolation.parse(value);
                if (parsed != null) {
                    isolation = parsed;
                    isoScope = s;
                }
            } else if (var.equals("autocommit") && s != SetInfo.Scope.GLOBAL) {
                autocommit = onOff(value);
            } else if (var.equals("innodb_snapshot_isolation") && s != SetInfo.Scope.GLOBAL) {
                snapshot = onOff(value);
            } else if (var.equals("sql_mode") && s != SetInfo.Scope.GLOBAL && value != null) {
                modes = value;
            }
            i++;
        }
        if (isolation == null && autocommit == null && snapshot == null && modes == null) {
            return SetInfo.NONE;
        }
        return new SetInfo(isolation, isoScope, autocommit, snapshot, modes);
    }

    /** A boolean variable's value ({@code 1/0}, {@code ON/OFF}, {@code TRUE/FALSE}), or {@code null}. */
    static Boolean onOff(String value) {
        String v = value == null ? "" : value.toLowerCase(Locale.ROOT);
        if (v.equals("1") || v.equals("on") || v.equals("true")) {
            return Boolean.TRUE;
        }
        if (v.equals("0") || v.equals("off") || v.equals("false")) {
            return Boolean.FALSE;
        }
        return null;
    }

    private static SetInfo.Scope scopeWord(List<Token> t, int i, int end) {
        if (i >= end) {
            return null;
        }
        Token k = t.get(i);
        if (k.is("GLOBAL") || k.is("PERSIST") || k.is("PERSIST_ONLY")) {
            return SetInfo.Scope.GLOBAL;
        }
        if (k.is("SESSION") || k.is("LOCAL")) {
            return SetInfo.Scope.SESSION;
        }
        return null;
    }

    private static SetInfo transaction(List<Token> t, int i, int end, SetInfo.Scope scope) {
        for (; i + 2 < end; i++) {
            if (t.get(i).is("ISOLATION") && t.get(i + 1).is("LEVEL")) {
                StringBuilder level = new StringBuilder(t.get(i + 2).text);
                if (i + 3 < end && t.get(i + 3).type == Lexer.WORD) {
                    level.append(' ').append(t.get(i + 3).text);
                }
                Isolation iso = Isolation.parse(level.toString());
                if (iso == null) {
                    iso = Isolation.parse(t.get(i + 2).text);
                }
                return iso == null ? SetInfo.NONE : new SetInfo(iso, scope, null, null, null);
            }
        }
        return SetInfo.NONE;
    }

    private static String valueText(List<Token> t, int from, int to) {
        if (to - from != 1) {
            return null;
        }
        Token v = t.get(from);
        if (v.type == Lexer.LITERAL) {
            return String.valueOf(v.value);
        }
        return v.type == Lexer.WORD || v.type == Lexer.QUOTED_ID ? String.valueOf(v.value) : null;
    }
}
