package io.jdbcguard.sql;

import io.jdbcguard.sql.Lexer.Token;
import io.jdbcguard.sql.Structure.Assignment;
import io.jdbcguard.sql.Structure.Equality;
import io.jdbcguard.sql.Structure.TableName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads expressions: a WHERE clause as top-level ANDed terms ({@code column = value} on the table, and
 * the columns of every other term), the columns an expression refers to, {@code SET} assignments.
 */
abstract class ExpressionReader extends TokenReader {

    ExpressionReader(List<Token> tokens) {
        super(tokens);
    }

    static final class Where {
        final List<Equality> equalities = new ArrayList<>();
        boolean other;
        final Set<String> otherColumns = new LinkedHashSet<>();
    }

    /** Reads a boolean expression as top-level ANDed terms: {@code column = value} terms on the table, and others. */
    void conjuncts(int from, int to, TableName table, String alias, Where w) {
        if (from >= to) {
            throw UNKNOWN;
        }
        while (t.get(from).isOp('(') && match[from] == to - 1) {
            from++;
            to--;
        }
        int depth = t.get(from).depth;
        for (int i = from; i < to; i++) {
            Token k = t.get(i);
            if (k.depth == depth && (k.is("OR") || k.is("XOR") || k.isOp('|') && i + 1 < to && t.get(i + 1).isOp('|'))) {
                other(from, to, table, alias, w);
                return;
            }
        }
        int start = from;
        boolean between = false;
        int cases = 0;
        for (int i = from; i <= to; i++) {
            Token k = i < to ? t.get(i) : null;
            if (k != null && k.depth != depth) {
                continue;
            }
            if (k != null && k.is("BETWEEN")) {
                between = true;
            } else if (k != null && k.is("CASE")) {
                cases++;
            } else if (k != null && k.is("END") && cases > 0) {
                cases--;
            }
            boolean and = k != null && cases == 0 && (k.is("AND") || k.isOp('&') && i + 1 < to && t.get(i + 1).isOp('&'));
            if (and && between) {
                between = false;
                continue;
            }
            if (k == null || and) {
                term(start, i, table, alias, w);
                start = i + (k != null && k.isOp('&') ? 2 : 1);
                if (k != null && k.isOp('&')) {
                    i++;
                }
            }
        }
    }

    void term(int from, int to, TableName table, String alias, Where w) {
        if (from >= to) {
            throw UNKNOWN;
        }
        if (t.get(from).isOp('(') && match[from] == to - 1) {
            conjuncts(from, to, table, alias, w);
            return;
        }
        if (table != null) {
            int eq = find(from, to);
            if (eq > from && eq < to - 1) {
                int leftName = nameEnd(from, eq);
                if (leftName == eq && !isKeyword(from) && valueSlot(eq + 1, to) > 0 && onTable(from, eq, table, alias)) {
                    w.equalities.add(new Equality(lastName(from, eq), valueSlot(eq + 1, to)));
                    return;
                }
                int rightName = nameEnd(eq + 1, to);
                if (rightName == to && !isKeyword(eq + 1) && valueSlot(from, eq) > 0
                        && onTable(eq + 1, to, table, alias)) {
                    w.equalities.add(new Equality(lastName(eq + 1, to), valueSlot(from, eq)));
                    return;
                }
            }
        }
        other(from, to, table, alias, w);
    }

    void other(int from, int to, TableName table, String alias, Where w) {
        w.other = true;
        w.otherColumns.addAll(columnsIn(from, to, table, alias));
    }

    /** The columns an expression refers to (of the table, or all when the table is unknown). */
    Set<String> columnsIn(int from, int to, TableName table, String alias) {
        Set<String> cols = new LinkedHashSet<>();
        int i = from;
        while (i < to) {
            Token k = t.get(i);
            if (k.type != Lexer.WORD && k.type != Lexer.QUOTED_ID) {
                i++;
                continue;
            }
            boolean skipNext = k.is("COLLATE") || k.is("AS") || k.is("FROM") || k.is("JOIN");
            if (skipNext || isKeyword(i)) {
                i += skipNext ? 2 : 1;
                continue;
            }
            int end = nameEnd(i, to);
            if (end < 0) {
                i++;
                continue;
            }
            boolean function = end < to && t.get(end).isOp('(') && end == i + 1;
            if (!function && (table == null || onTable(i, end, table, alias))) {
                cols.add(lastName(i, end));
            }
            i = end;
        }
        return cols;
    }

    List<Assignment> assignments(int from, int to, TableName table, String alias) {
        List<Assignment> out = new ArrayList<>();
        if (from >= to) {
            throw UNKNOWN;
        }
        for (int[] a : split(from, to, t.get(from).depth)) {
            int eq = assignment(a[0], a[1]);
            String col = columnOf(a[0], eq);
            Set<String> refs = columnsIn(eq + 1, a[1], table, alias);
            out.add(new Assignment(col, valueSlot(eq + 1, a[1]), refs.contains(col), Set.copyOf(refs)));
        }
        return List.copyOf(out);
    }
}
