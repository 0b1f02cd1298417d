package io.jdbcguard.sql;

import io.jdbcguard.sql.Lexer.Token;
import io.jdbcguard.sql.Structure.Assignment;
import io.jdbcguard.sql.Structure.SelectForm;
import io.jdbcguard.sql.Structure.TableName;
import java.util.ArrayList;
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
final class StructureReader extends SelectReader {

    private StructureReader(List<Token> tokens) {
        super(tokens);
    }


    /** Deeper parenthesis nesting than this is not analysed. */
    static final int MAX_DEPTH = 32;
    /** More tokens than this are not analysed. */
    static final int MAX_TOKENS = 4096;

    /** The structure of a normalised DML text, or {@code null} where the reader does not know its shape. */
    static Structure read(String text, StatementKind kind) {
        return read(text, kind, Syntax.MYSQL);
    }

    /** The same, for a normalised text read in a syntax ({@link SqlShapes} names which). */
    static Structure read(String text, StatementKind kind, Syntax syntax) {
        Lexer lx = Lexer.lex(text, Integer.MAX_VALUE, syntax);
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
                List.copyOf(columns), List.copyOf(rows), upsert, List.of());
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
                0, List.of(), List.of(), List.of(), assignments, List.of());
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
                0, List.of(), List.of(), List.of(), List.of(), List.of());
    }


























}
