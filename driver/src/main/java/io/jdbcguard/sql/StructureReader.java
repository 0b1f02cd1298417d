package io.jdbcguard.sql;

import io.jdbcguard.sql.Lexer.Token;
import io.jdbcguard.sql.Structure.Assignment;
import io.jdbcguard.sql.Structure.Equality;
import io.jdbcguard.sql.Structure.SelectForm;
import io.jdbcguard.sql.Structure.TableName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a {@link Structure} from a normalised statement text (every value a {@code ?}): a small
 * recursive-descent reader over the {@link Lexer}'s tokens for exactly the DML shapes the rules analyse.
 * Its cost is linear in the number of tokens: it scans each clause once, descends only into
 * parentheses, and gives up past {@link #MAX_DEPTH} levels of nesting. Anything it does not know returns
 * {@code null} (the statement passes through unanalysed), never a guess.
 */
final class StructureReader {

    /** Deeper parenthesis nesting than this is not analysed. */
    static final int MAX_DEPTH = 32;
    /** More tokens than this are not analysed. */
    static final int MAX_TOKENS = 4096;

    /** Thrown (without a stack trace) where the text leaves the grammar the reader knows. */
    private static final class Unknown extends RuntimeException {
        Unknown() {
            super(null, null, false, false);
        }
    }

    private static final Unknown UNKNOWN = new Unknown();

    /** Words that are never column names inside an expression. */
    private static final Set<String> KEYWORDS = Set.of("AND", "OR", "NOT", "XOR", "IS", "NULL", "TRUE", "FALSE",
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
    private static final Set<String> SELECT_MODIFIERS = Set.of("DISTINCT", "ALL", "DISTINCTROW", "HIGH_PRIORITY",
            "STRAIGHT_JOIN", "SQL_SMALL_RESULT", "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_CACHE", "SQL_NO_CACHE",
            "SQL_CALC_FOUND_ROWS");
    /** Words that end a SELECT's FROM or WHERE clause. */
    private static final Set<String> SELECT_CLAUSES = Set.of("WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT",
            "OFFSET", "FETCH", "FOR", "LOCK", "INTO", "PROCEDURE");
    /** Words that end an UPDATE's or DELETE's WHERE clause. */
    private static final Set<String> WRITE_CLAUSES = Set.of("WHERE", "ORDER", "LIMIT", "RETURNING");
    /** Words that make a FROM clause more than one table. */
    private static final Set<String> JOIN_WORDS = Set.of("JOIN", "LEFT", "RIGHT", "INNER", "OUTER", "CROSS",
            "NATURAL", "STRAIGHT_JOIN", "FULL");

    private final List<Token> t;
    /** For each opening parenthesis, the index of its closing one (-1 if unbalanced); 0 elsewhere. */
    private final int[] match;

    private StructureReader(List<Token> tokens) {
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

    /** The structure of a normalised DML text, or {@code null} where the reader does not know its shape. */
    static Structure read(String text, StatementKind kind) {
        Lexer lx = Lexer.lex(text);
        if (lx.maxDepth > MAX_DEPTH || lx.tokens.size() > MAX_TOKENS || lx.tokens.isEmpty()) {
            return null;
        }
        try {
            StructureReader r = new StructureReader(lx.tokens);
            int end = lx.tokens.size();
            switch (kind) {
                case SELECT:
                    return r.select(0, end);
                case INSERT:
                    return r.insert(0, end);
                case UPDATE:
                    return r.update(0, end);
                case DELETE:
                    return r.delete(0, end);
                default:
                    return null;
            }
        } catch (Unknown e) {
            return null;
        }
    }

    // ---- SELECT ---------------------------------------------------------------------------------

    private Structure select(int from, int to) {
        while (from < to && t.get(from).isOp('(') && match[from] == to - 1) {
            from++;
            to--;
        }
        if (from >= to || !t.get(from).is("SELECT")) {
            throw UNKNOWN; // WITH (a CTE's name is not a table), or not a SELECT at all
        }
        int depth = t.get(from).depth;
        int itemsFrom = from + 1;
        while (itemsFrom < to && word(itemsFrom) && SELECT_MODIFIERS.contains(upper(itemsFrom))) {
            itemsFrom++;
        }
        int fromKw = -1;
        int where = -1;
        int group = -1;
        int limit = -1;
        int clauseEnd = to;
        for (int i = itemsFrom; i < to; i++) {
            Token k = t.get(i);
            if (k.depth != depth || k.type != Lexer.WORD) {
                continue;
            }
            if (k.is("UNION") || k.is("EXCEPT") || k.is("INTERSECT")) {
                throw UNKNOWN;
            }
            if (k.is("FROM") && fromKw < 0 && where < 0) {
                fromKw = i;
            } else if (k.is("WHERE") && where < 0) {
                where = i;
            } else if (k.is("GROUP") && group < 0) {
                group = i;
            } else if (k.is("LIMIT") && limit < 0) {
                limit = i;
            }
        }
        int itemsTo = fromKw >= 0 ? fromKw : nextClause(itemsFrom, to, depth, SELECT_CLAUSES);
        List<int[]> items = split(itemsFrom, itemsTo, depth);
        if (items.isEmpty()) {
            throw UNKNOWN;
        }
        if (items.size() == 1 && fromKw < 0) {
            int[] only = items.get(0);
            if (t.get(only[0]).is("EXISTS") && only[0] + 1 < only[1] && t.get(only[0] + 1).isOp('(')) {
                int close = match[only[0] + 1];
                Structure inner = select(only[0] + 1, close + 1);
                return new Structure(inner.table(), inner.keyEqualities(), inner.otherPredicates(),
                        inner.otherColumns(), SelectForm.EXISTS, inner.limitSlot(), inner.selectedColumns(), List.of(),
                        List.of(), List.of());
            }
        }
        SelectForm form = items.size() == 1 && group < 0 && isCount(items.get(0)[0], items.get(0)[1])
                ? SelectForm.COUNT : SelectForm.ROWS;
        List<String> selected = new ArrayList<>();
        for (int[] item : items) {
            String c = selectedColumn(item[0], item[1]);
            if (c != null) {
                selected.add(c);
            }
        }
        TableName table = null;
        String alias = null;
        if (fromKw >= 0) {
            int fromEnd = nextClause(fromKw + 1, to, depth, SELECT_CLAUSES);
            int[] ref = new int[1];
            Object[] named = tableRef(fromKw + 1, fromEnd, ref);
            if (named != null && ref[0] == fromEnd) {
                table = (TableName) named[0];
                alias = (String) named[1];
            }
        }
        Where w = new Where();
        if (where >= 0) {
            conjuncts(where + 1, nextClause(where + 1, to, depth, SELECT_CLAUSES), table, alias, w);
        }
        int limitSlot = limit >= 0 ? limitSlot(limit, to, depth) : 0;
        return new Structure(table, List.copyOf(w.equalities), w.other, Collections.unmodifiableSet(w.otherColumns), form, limitSlot,
                List.copyOf(selected), List.of(), List.of(), List.of());
    }

    /**
     * Reads {@code LIMIT ?}, {@code LIMIT ?, ?} or {@code LIMIT ? OFFSET ?}, which must end the range or
     * be followed by {@code INTO}/{@code PROCEDURE}; any other form (MariaDB's {@code LIMIT ROWS
     * EXAMINED}, expressions) is not known. Returns the row count's slot when there is no offset.
     */
    private int limitSlot(int limit, int to, int depth) {
        int i = limit + 1;
        if (i >= to || t.get(i).type != Lexer.PARAM) {
            throw UNKNOWN;
        }
        int count = slot(i);
        i++;
        boolean offset = false;
        if (i + 1 < to && (t.get(i).isOp(',') || t.get(i).is("OFFSET")) && t.get(i + 1).type == Lexer.PARAM) {
            if (t.get(i).isOp(',')) {
                count = slot(i + 1);
            }
            offset = true;
            i += 2;
        }
        if (i < to && !(t.get(i).depth == depth && (t.get(i).is("INTO") || t.get(i).is("PROCEDURE")))) {
            throw UNKNOWN;
        }
        return offset ? 0 : count;
    }

    /** Whether a select item is {@code COUNT(…)}, with an alias or not. */
    private boolean isCount(int from, int to) {
        if (!t.get(from).is("COUNT") || from + 1 >= to || !t.get(from + 1).isOp('(')) {
            return false;
        }
        int rest = match[from + 1] + 1;
        if (rest < to && t.get(rest).is("AS")) {
            rest++;
        }
        return rest == to || rest + 1 == to && isName(rest);
    }

    /** The column a select item returns as it is ({@code *} for all), or {@code null} for an expression. */
    private String selectedColumn(int from, int to) {
        if (to - from == 1 && t.get(from).isOp('*')) {
            return "*";
        }
        int end = nameEnd(from, to);
        if (end < 0) {
            return null;
        }
        if (end + 2 == to && t.get(end).isOp('.') && t.get(end + 1).isOp('*')) {
            return "*"; // t.*
        }
        if (isKeyword(from)) {
            return null;
        }
        int rest = end;
        if (rest < to && t.get(rest).is("AS")) {
            rest++;
        }
        if (rest == to || (rest + 1 == to && isName(rest))) {
            return lastName(from, end);
        }
        return null;
    }

    // ---- INSERT ---------------------------------------------------------------------------------

    private Structure insert(int from, int to) {
        int i = from + 1;
        while (i < to && word(i) && (t.get(i).is("LOW_PRIORITY") || t.get(i).is("DELAYED")
                || t.get(i).is("HIGH_PRIORITY") || t.get(i).is("IGNORE"))) {
            i++;
        }
        if (i < to && t.get(i).is("INTO")) {
            i++;
        }
        int[] ref = new int[1];
        TableName table = qualifiedTable(i, to, ref);
        i = ref[0];
        if (i < to && t.get(i).is("PARTITION")) {
            i = skipParens(i + 1, to);
        }
        List<String> columns = new ArrayList<>();
        List<List<Integer>> rows = new ArrayList<>();
        if (i < to && t.get(i).isOp('(') && !(i + 1 < to && t.get(i + 1).is("SELECT"))) {
            int close = match[i];
            for (int[] c : split(i + 1, close, t.get(i).depth + 1)) {
                columns.add(columnOf(c[0], c[1]));
            }
            i = close + 1;
        }
        if (i < to && t.get(i).is("SET")) {
            List<Integer> row = new ArrayList<>();
            int end = nextClause(i + 1, to, t.get(i).depth, Set.of("ON", "AS"));
            for (int[] a : split(i + 1, end, t.get(i).depth)) {
                int eq = assignment(a[0], a[1]);
                columns.add(columnOf(a[0], eq));
                row.add(valueSlot(eq + 1, a[1]));
            }
            rows.add(List.copyOf(row));
            i = end;
        } else if (i < to && (t.get(i).is("VALUES") || t.get(i).is("VALUE"))) {
            i++;
            while (true) {
                if (i >= to || !t.get(i).isOp('(')) {
                    throw UNKNOWN;
                }
                int close = match[i];
                List<Integer> row = new ArrayList<>();
                for (int[] v : split(i + 1, close, t.get(i).depth + 1)) {
                    row.add(valueSlot(v[0], v[1]));
                }
                rows.add(List.copyOf(row));
                i = close + 1;
                if (i < to && t.get(i).isOp(',')) {
                    i++;
                } else {
                    break;
                }
            }
        } else {
            throw UNKNOWN; // INSERT … SELECT / TABLE / WITH: no values to match
        }
        if (i + 1 < to && t.get(i).is("AS") && isName(i + 1)) {
            i += 2; // MySQL 8's row alias
        }
        List<Assignment> upsert = List.of();
        if (i < to) {
            if (!(i + 3 < to && t.get(i).is("ON") && t.get(i + 1).is("DUPLICATE") && t.get(i + 2).is("KEY")
                    && t.get(i + 3).is("UPDATE"))) {
                throw UNKNOWN;
            }
            upsert = assignments(i + 4, to, table, null);
        }
        return new Structure(table, List.of(), false, Set.of(), SelectForm.NONE, 0, List.of(),
                List.copyOf(columns), List.copyOf(rows), upsert);
    }

    // ---- UPDATE / DELETE ------------------------------------------------------------------------

    private Structure update(int from, int to) {
        int i = from + 1;
        while (i < to && (t.get(i).is("LOW_PRIORITY") || t.get(i).is("IGNORE"))) {
            i++;
        }
        int[] ref = new int[1];
        Object[] named = tableRef(i, to, ref);
        i = ref[0];
        if (named == null || i >= to || !t.get(i).is("SET")) {
            throw UNKNOWN; // several tables, or a join
        }
        TableName table = (TableName) named[0];
        String alias = (String) named[1];
        int depth = t.get(i).depth;
        int setEnd = nextClause(i + 1, to, depth, WRITE_CLAUSES);
        List<Assignment> assignments = assignments(i + 1, setEnd, table, alias);
        Where w = new Where();
        if (setEnd < to && t.get(setEnd).is("WHERE")) {
            conjuncts(setEnd + 1, nextClause(setEnd + 1, to, depth, WRITE_CLAUSES), table, alias, w);
        }
        return new Structure(table, List.copyOf(w.equalities), w.other, Collections.unmodifiableSet(w.otherColumns), SelectForm.NONE,
                0, List.of(), List.of(), List.of(), assignments);
    }

    private Structure delete(int from, int to) {
        int i = from + 1;
        while (i < to && (t.get(i).is("LOW_PRIORITY") || t.get(i).is("QUICK") || t.get(i).is("IGNORE"))) {
            i++;
        }
        if (i >= to || !t.get(i).is("FROM")) {
            throw UNKNOWN; // DELETE t1 FROM t1 JOIN …
        }
        int[] ref = new int[1];
        Object[] named = tableRef(i + 1, to, ref);
        i = ref[0];
        if (named == null || i < to && !WRITE_CLAUSES.contains(upper(i))) {
            throw UNKNOWN; // DELETE FROM t1 USING …, several tables
        }
        TableName table = (TableName) named[0];
        String alias = (String) named[1];
        Where w = new Where();
        if (i < to && t.get(i).is("WHERE")) {
            conjuncts(i + 1, nextClause(i + 1, to, t.get(i).depth, WRITE_CLAUSES), table, alias, w);
        }
        return new Structure(table, List.copyOf(w.equalities), w.other, Collections.unmodifiableSet(w.otherColumns), SelectForm.NONE,
                0, List.of(), List.of(), List.of(), List.of());
    }

    private List<Assignment> assignments(int from, int to, TableName table, String alias) {
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

    // ---- WHERE ----------------------------------------------------------------------------------

    private static final class Where {
        final List<Equality> equalities = new ArrayList<>();
        boolean other;
        final Set<String> otherColumns = new LinkedHashSet<>();
    }

    /** Reads a boolean expression as top-level ANDed terms: {@code column = value} terms on the table, and others. */
    private void conjuncts(int from, int to, TableName table, String alias, Where w) {
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

    private void term(int from, int to, TableName table, String alias, Where w) {
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

    private void other(int from, int to, TableName table, String alias, Where w) {
        w.other = true;
        w.otherColumns.addAll(columnsIn(from, to, table, alias));
    }

    /** The columns an expression refers to (of the table, or all when the table is unknown). */
    private Set<String> columnsIn(int from, int to, TableName table, String alias) {
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

    // ---- names and values -----------------------------------------------------------------------

    /**
     * A table reference {@code [schema.]name [[AS] alias]} with optional index hints and partitions; the
     * index after it goes to {@code next[0]}. Returns {@code {TableName, alias}}, or {@code null} when the
     * FROM holds more than one table (a join, a comma, a derived table).
     */
    private Object[] tableRef(int from, int to, int[] next) {
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
        if (i < to && (t.get(i).isOp(',') || JOIN_WORDS.contains(upper(i)))) {
            next[0] = to;
            return null;
        }
        return new Object[] {table, alias};
    }

    private TableName qualifiedTable(int from, int to, int[] next) {
        int end = nameEnd(from, to);
        if (end < 0 || end - from > 3) {
            throw UNKNOWN;
        }
        next[0] = end;
        return end - from == 3 ? new TableName(name(from), name(from + 2)) : new TableName(null, name(from));
    }

    private int skipParens(int i, int to) {
        if (i >= to || !t.get(i).isOp('(')) {
            throw UNKNOWN;
        }
        return match[i] + 1;
    }

    /** The end of a dotted name {@code a[.b[.c]]} starting at {@code from}, or -1 if none starts there. */
    private int nameEnd(int from, int to) {
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
    private String columnOf(int from, int to) {
        if (nameEnd(from, to) != to) {
            throw UNKNOWN;
        }
        return lastName(from, to);
    }

    /** Whether the qualified name in {@code [from, to)} is unqualified, or qualified by the table or its alias. */
    private boolean onTable(int from, int to, TableName table, String alias) {
        if (to - from < 3) {
            return true;
        }
        String q = name(to - 3);
        return q.equals(table.name()) || q.equals(alias);
    }

    private String lastName(int from, int to) {
        return name(to - 1);
    }

    /** The slot of a value that is one {@code ?} (in parentheses or not), else 0. */
    private int valueSlot(int from, int to) {
        while (to - from > 2 && t.get(from).isOp('(') && match[from] == to - 1) {
            from++;
            to--;
        }
        return to - from == 1 && t.get(from).type == Lexer.PARAM ? slot(from) : 0;
    }

    private int slot(int i) {
        return (Integer) t.get(i).value;
    }

    /**
     * The first top-level {@code =} in the range, or -1 when there is none or it is part of another
     * operator ({@code <=}, {@code >=}, {@code !=}, {@code <=>}, {@code :=}).
     */
    private int find(int from, int to) {
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
    private int assignment(int from, int to) {
        int eq = find(from, to);
        if (eq <= from || eq >= to - 1) {
            throw UNKNOWN;
        }
        return eq;
    }

    /** Splits a range at its top-level commas. */
    private List<int[]> split(int from, int to, int depth) {
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

    private int nextClause(int from, int to, int depth, Set<String> clauses) {
        for (int i = from; i < to; i++) {
            if (isClauseAt(i, depth, clauses)) {
                return i;
            }
        }
        return to;
    }

    private boolean isClauseAt(int i, int depth, Set<String> clauses) {
        Token k = t.get(i);
        return k.depth == depth && k.type == Lexer.WORD && clauses.contains(upper(i));
    }

    private boolean isClauseWord(int i) {
        return SELECT_CLAUSES.contains(upper(i)) || WRITE_CLAUSES.contains(upper(i)) || t.get(i).is("ON");
    }

    private boolean isName(int i) {
        Token k = t.get(i);
        return k.type == Lexer.QUOTED_ID || k.type == Lexer.WORD;
    }

    private boolean word(int i) {
        return t.get(i).type == Lexer.WORD;
    }

    private boolean isKeyword(int i) {
        return word(i) && KEYWORDS.contains(upper(i));
    }

    private String upper(int i) {
        return t.get(i).text.toUpperCase(Locale.ROOT);
    }

    /** A name as the rules compare it: without quotes, lower case. */
    private String name(int i) {
        return ((String) t.get(i).value).toLowerCase(Locale.ROOT);
    }
}
