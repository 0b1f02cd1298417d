package io.jdbcguard.sql;

import io.jdbcguard.sql.Lexer.Token;
import io.jdbcguard.sql.Structure.Assignment;
import io.jdbcguard.sql.Structure.SelectForm;
import io.jdbcguard.sql.Structure.TableName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@link Structure} from a normalised statement text (every value a {@code ?}): a small
 * recursive-descent reader over the {@link Lexer}'s tokens for exactly the DML shapes the rules analyse.
 * Its cost is linear in the number of tokens: it scans each clause once, descends only into
 * parentheses, and gives up past {@link #MAX_DEPTH} levels of nesting. Anything it does not know returns
 * {@code null} (the statement passes through unanalysed), never a guess.
 */
final class StructureReader extends ExpressionReader {

    private StructureReader(List<Token> tokens) {
        super(tokens);
    }


    /** Deeper parenthesis nesting than this is not analysed. */
    static final int MAX_DEPTH = 32;
    /** More tokens than this are not analysed. */
    static final int MAX_TOKENS = 4096;

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
        TableName table = null;
        String alias = null;
        Set<String> joined = new HashSet<>();
        if (fromKw >= 0) {
            int fromEnd = nextClause(fromKw + 1, to, depth, SELECT_CLAUSES);
            int[] ref = new int[1];
            Object[] named = tableRef(fromKw + 1, fromEnd, ref);
            int i = named == null ? -1 : ref[0];
            while (i >= 0 && i < fromEnd) {
                i = leftJoin(i, fromEnd, joined);
            }
            if (i == fromEnd) {
                table = (TableName) named[0];
                alias = (String) named[1];
            }
        }
        if (table != null && where >= 0 && refersTo(where + 1, nextClause(where + 1, to, depth, SELECT_CLAUSES), joined)) {
            table = null; // a predicate on a joined table: not a read of the root by its key
            alias = null;
        }
        List<String> selected = new ArrayList<>();
        for (int[] item : items) {
            String c = joined.isEmpty() || ownColumn(item[0], item[1], table, alias) ? selectedColumn(item[0], item[1]) : null;
            if (c != null) {
                selected.add(c);
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

    /**
     * One {@code LEFT [OUTER] JOIN t [[AS] a] ON …} starting at {@code i}: records the joined name and
     * alias and returns where the next join starts; -1 for any other kind of join (an inner join restricts
     * the root's rows: not a read of the root by its key).
     */
    private int leftJoin(int i, int to, Set<String> joined) {
        if (!t.get(i).is("LEFT")) {
            return -1;
        }
        i++;
        if (i < to && t.get(i).is("OUTER")) {
            i++;
        }
        if (i >= to || !t.get(i).is("JOIN")) {
            return -1;
        }
        int[] ref = new int[1];
        Object[] named = tableRef(i + 1, to, ref);
        i = ref[0];
        if (named == null || i >= to || !t.get(i).is("ON")) {
            return -1;
        }
        joined.add(((TableName) named[0]).name());
        if (named[1] != null) {
            joined.add((String) named[1]);
        }
        int depth = t.get(i).depth;
        for (i++; i < to; i++) {
            if (t.get(i).depth == depth && t.get(i).type == Lexer.WORD && JOIN_WORDS.contains(upper(i))) {
                return i;
            }
        }
        return to;
    }

    /** Whether a range qualifies a column by one of the names ({@code p1_0.name}). */
    private boolean refersTo(int from, int to, Set<String> names) {
        for (int i = from; i + 1 < to; i++) {
            if (isName(i) && t.get(i + 1).isOp('.') && names.contains(name(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a select item is a column of the root table (unqualified, or qualified by its name or alias). */
    private boolean ownColumn(int from, int to, TableName table, String alias) {
        if (table == null) {
            return true;
        }
        int end = nameEnd(from, to);
        if (end < 0) {
            return true;
        }
        if (end + 2 == to && t.get(end).isOp('.') && t.get(end + 1).isOp('*')) {
            return name(end - 1).equals(table.name()) || name(end - 1).equals(alias); // t.*
        }
        return end - from < 3 || onTable(from, end, table, alias);
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


























}
