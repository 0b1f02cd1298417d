package io.jdbcguard.sql;

import io.jdbcguard.sql.Lexer.Token;
import io.jdbcguard.sql.Structure.SelectForm;
import io.jdbcguard.sql.Structure.TableName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Reads a SELECT: its items, its one table (followed only by {@code LEFT [OUTER] JOIN}s, the shape of
 * eager associations and entity graphs), its WHERE as key equalities and other terms, its LIMIT, and the
 * {@code COUNT(…)} and {@code EXISTS(…)} forms.
 */
abstract class SelectReader extends ExpressionReader {

    SelectReader(List<Token> tokens) {
        super(tokens);
    }

    Structure select(int from, int to) {
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
                        List.of(), List.of(), List.of());
            }
        }
        SelectForm form = items.size() == 1 && group < 0 && isCount(items.get(0)[0], items.get(0)[1])
                ? SelectForm.COUNT : SelectForm.ROWS;
        TableName table = null;
        String alias = null;
        Set<String> joined = new HashSet<>();
        List<Object[]> joins = new ArrayList<>(2);
        if (fromKw >= 0) {
            int fromEnd = nextClause(fromKw + 1, to, depth, SELECT_CLAUSES);
            int[] ref = new int[1];
            Object[] named = tableRef(fromKw + 1, fromEnd, ref);
            int i = named == null ? -1 : ref[0];
            while (i >= 0 && i < fromEnd) {
                i = leftJoin(i, fromEnd, joined, joins);
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
                List.copyOf(selected), List.of(), List.of(), List.of(), table == null ? List.of() : collections(items, joins));
    }

    /**
     * The columns returned of each joined table: items qualified by its name or alias ({@code p1_0.name},
     * {@code p.*}), and everything for a bare {@code *}.
     */
    List<Structure.Collection> collections(List<int[]> items, List<Object[]> joins) {
        List<Structure.Collection> out = new ArrayList<>(joins.size());
        for (Object[] join : joins) {
            TableName joinedTable = (TableName) join[0];
            String joinedAlias = (String) join[1];
            List<String> columns = new ArrayList<>();
            for (int[] item : items) {
                int end = nameEnd(item[0], item[1]);
                boolean star = item[1] - item[0] == 1 && t.get(item[0]).isOp('*');
                boolean qualified = end >= 0 && end - item[0] >= 3 && onTable(item[0], end, joinedTable, joinedAlias);
                boolean tableStar = end >= 0 && end + 2 == item[1] && t.get(end).isOp('.') && t.get(end + 1).isOp('*')
                        && (name(end - 1).equals(joinedTable.name()) || name(end - 1).equals(joinedAlias));
                String c = star || tableStar ? "*" : qualified ? selectedColumn(item[0], item[1]) : null;
                if (c != null) {
                    columns.add(c);
                }
            }
            out.add(new Structure.Collection(joinedTable, List.copyOf(columns), Set.copyOf(Arrays.asList((String[]) join[2]))));
        }
        return List.copyOf(out);
    }

    /**
     * Reads {@code LIMIT ?}, {@code LIMIT ?, ?} or {@code LIMIT ? OFFSET ?}, which must end the range or
     * be followed by {@code INTO}/{@code PROCEDURE}; any other form (MariaDB's {@code LIMIT ROWS
     * EXAMINED}, expressions) is not known. Returns the row count's slot when there is no offset.
     */
    int limitSlot(int limit, int to, int depth) {
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
    int leftJoin(int i, int to, Set<String> joined, List<Object[]> joins) {
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
        TableName joinedTable = (TableName) named[0];
        String joinedAlias = (String) named[1];
        joined.add(joinedTable.name());
        if (joinedAlias != null) {
            joined.add(joinedAlias);
        }
        List<String> link = new ArrayList<>(2);
        int depth = t.get(i).depth;
        int end = to;
        for (i++; i < to; i++) {
            if (t.get(i).depth == depth && t.get(i).type == Lexer.WORD && JOIN_WORDS.contains(upper(i))) {
                end = i;
                break;
            }
            // j.col in the ON clause: a column of the joined table that links it to the root
            if (i + 2 < to && t.get(i + 1).isOp('.') && isName(i) && isName(i + 2)
                    && (name(i).equals(joinedTable.name()) || name(i).equals(joinedAlias))) {
                link.add(name(i + 2));
            }
        }
        joins.add(new Object[] {joinedTable, joinedAlias, link.toArray(new String[0])});
        return end;
    }

    /** Whether a range qualifies a column by one of the names ({@code p1_0.name}). */
    boolean refersTo(int from, int to, Set<String> names) {
        for (int i = from; i + 1 < to; i++) {
            if (isName(i) && t.get(i + 1).isOp('.') && names.contains(name(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a select item is a column of the root table (unqualified, or qualified by its name or alias). */
    boolean ownColumn(int from, int to, TableName table, String alias) {
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
    boolean isCount(int from, int to) {
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
    String selectedColumn(int from, int to) {
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
}
