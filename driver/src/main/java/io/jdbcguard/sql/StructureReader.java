package io.jdbcguard.sql;

import io.jdbcguard.sql.Structure.Assignment;
import io.jdbcguard.sql.Structure.Equality;
import io.jdbcguard.sql.Structure.SelectForm;
import io.jdbcguard.sql.Structure.TableName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;

/**
 * Reads a {@link Structure} from a normalised statement text with JSqlParser, called directly (no
 * thread per parse). Returns {@code null} where JSqlParser fails, or disagrees with the tokenizer on the
 * kind of statement, or the statement has a shape the guard does not analyse; such statements pass
 * through unanalysed.
 */
final class StructureReader {

    private StructureReader() {
    }

    static Structure read(String text, StatementKind kind) {
        Statement st;
        try {
            CCJSqlParser parser = CCJSqlParserUtil.newParser(text);
            st = parser.Statement();
        } catch (Exception | Error e) {
            // JavaCC's TokenMgrError and friends: the text is not understood, nothing more.
            return null;
        }
        try {
            switch (kind) {
                case SELECT:
                    return st instanceof Select ? select((Select) st) : null;
                case INSERT:
                    return st instanceof Insert ? insert((Insert) st) : null;
                case UPDATE:
                    return st instanceof Update ? update((Update) st) : null;
                case DELETE:
                    return st instanceof Delete ? delete((Delete) st) : null;
                default:
                    return null;
            }
        } catch (RuntimeException e) {
            return null;
        }
    }

    // ---- SELECT ---------------------------------------------------------------------------------

    private static Structure select(Select select) {
        while (select instanceof ParenthesedSelect && ((ParenthesedSelect) select).getAlias() == null) {
            select = ((ParenthesedSelect) select).getSelect();
        }
        if (select.getWithItemsList() != null && !select.getWithItemsList().isEmpty()) {
            // A CTE's name is not a table: what it reads is beyond a single-table analysis.
            return null;
        }
        if (!(select instanceof PlainSelect)) {
            return null;
        }
        PlainSelect ps = (PlainSelect) select;
        if (ps.getSelectItems() != null && ps.getSelectItems().size() == 1) {
            Object only = ps.getSelectItems().get(0).getExpression();
            if (only instanceof ExistsExpression && ps.getFromItem() == null) {
                Expression inner = ((ExistsExpression) only).getRightExpression();
                if (inner instanceof ParenthesedSelect && ((ParenthesedSelect) inner).getSelect() instanceof PlainSelect) {
                    Structure s = plain((PlainSelect) ((ParenthesedSelect) inner).getSelect(), SelectForm.EXISTS);
                    return s;
                }
                return null;
            }
        }
        SelectForm form = SelectForm.ROWS;
        if (ps.getSelectItems() != null && ps.getSelectItems().size() == 1
                && ps.getSelectItems().get(0).getExpression() instanceof Function
                && ((Function) ps.getSelectItems().get(0).getExpression()).getName().equalsIgnoreCase("count")
                && ps.getGroupBy() == null) {
            form = SelectForm.COUNT;
        }
        return plain(ps, form);
    }

    private static Structure plain(PlainSelect ps, SelectForm form) {
        TableName table = null;
        String alias = null;
        FromItem from = ps.getFromItem();
        if (from instanceof Table && (ps.getJoins() == null || ps.getJoins().isEmpty())) {
            table = tableName((Table) from);
            alias = aliasOf(((Table) from).getAlias());
        }
        List<String> selected = new ArrayList<>();
        if (ps.getSelectItems() != null) {
            for (SelectItem<?> item : ps.getSelectItems()) {
                Object e = item.getExpression();
                if (e instanceof AllColumns || e instanceof AllTableColumns) {
                    selected.add("*");
                } else if (e instanceof Column) {
                    selected.add(columnName((Column) e));
                }
            }
        }
        Where where = where(ps.getWhere(), table, alias);
        int limitSlot = 0;
        Limit limit = ps.getLimit();
        if (limit != null && limit.getRowCount() instanceof JdbcParameter && limit.getOffset() == null) {
            limitSlot = slotOf(limit.getRowCount());
        }
        return new Structure(table, where.equalities, where.other, where.otherColumns, form, limitSlot,
                List.copyOf(selected), List.of(), List.of(), List.of());
    }

    // ---- INSERT ---------------------------------------------------------------------------------

    private static Structure insert(Insert insert) {
        TableName table = tableName(insert.getTable());
        List<String> columns = new ArrayList<>();
        List<List<Integer>> rows = new ArrayList<>();
        if (insert.getSetUpdateSets() != null && !insert.getSetUpdateSets().isEmpty()) {
            List<Integer> row = new ArrayList<>();
            for (UpdateSet us : insert.getSetUpdateSets()) {
                for (int i = 0; i < us.getColumns().size(); i++) {
                    columns.add(columnName(us.getColumns().get(i)));
                    row.add(i < us.getValues().size() ? slotOf((Expression) us.getValues().get(i)) : 0);
                }
            }
            rows.add(row);
        } else {
            if (insert.getColumns() != null) {
                for (Column c : insert.getColumns()) {
                    columns.add(columnName(c));
                }
            }
            Values values = insert.getValues();
            if (values == null && insert.getSelect() instanceof Values) {
                values = (Values) insert.getSelect();
            }
            if (values != null) {
                ExpressionList<?> list = values.getExpressions();
                boolean multiRow = !list.isEmpty() && list.get(0) instanceof ExpressionList;
                if (multiRow) {
                    for (Object r : list) {
                        rows.add(slots((ExpressionList<?>) r));
                    }
                } else {
                    rows.add(slots(list));
                }
            }
        }
        List<Assignment> upsert = new ArrayList<>();
        if (insert.getDuplicateUpdateSets() != null) {
            for (UpdateSet us : insert.getDuplicateUpdateSets()) {
                upsert.addAll(assignments(us, table, null));
            }
        }
        List<List<Integer>> frozenRows = new ArrayList<>();
        for (List<Integer> r : rows) {
            frozenRows.add(List.copyOf(r));
        }
        return new Structure(table, List.of(), false, Set.of(), SelectForm.NONE, 0, List.of(),
                List.copyOf(columns), List.copyOf(frozenRows), List.copyOf(upsert));
    }

    private static List<Integer> slots(ExpressionList<?> list) {
        List<Integer> row = new ArrayList<>();
        for (Object o : list) {
            row.add(slotOf((Expression) o));
        }
        return row;
    }

    // ---- UPDATE / DELETE ------------------------------------------------------------------------

    private static Structure update(Update update) {
        if (update.getJoins() != null && !update.getJoins().isEmpty() || update.getStartJoins() != null
                && !update.getStartJoins().isEmpty() || update.getFromItem() != null) {
            return null;
        }
        TableName table = tableName(update.getTable());
        String alias = aliasOf(update.getTable().getAlias());
        List<Assignment> assignments = new ArrayList<>();
        for (UpdateSet us : update.getUpdateSets()) {
            assignments.addAll(assignments(us, table, alias));
        }
        Where where = where(update.getWhere(), table, alias);
        return new Structure(table, where.equalities, where.other, where.otherColumns, SelectForm.NONE, 0,
                List.of(), List.of(), List.of(), List.copyOf(assignments));
    }

    private static Structure delete(Delete delete) {
        if (delete.getJoins() != null && !delete.getJoins().isEmpty()
                || delete.getTables() != null && !delete.getTables().isEmpty()) {
            return null;
        }
        TableName table = tableName(delete.getTable());
        Where where = where(delete.getWhere(), table, aliasOf(delete.getTable().getAlias()));
        return new Structure(table, where.equalities, where.other, where.otherColumns, SelectForm.NONE, 0,
                List.of(), List.of(), List.of(), List.of());
    }

    private static List<Assignment> assignments(UpdateSet us, TableName table, String alias) {
        List<Assignment> out = new ArrayList<>();
        if (us.getColumns().size() != us.getValues().size()) {
            return out;
        }
        for (int i = 0; i < us.getColumns().size(); i++) {
            String col = columnName(us.getColumns().get(i));
            Expression value = (Expression) us.getValues().get(i);
            Set<String> refs = columnsIn(value, table, alias);
            out.add(new Assignment(col, slotOf(value), refs.contains(col), Set.copyOf(refs)));
        }
        return out;
    }

    // ---- WHERE ----------------------------------------------------------------------------------

    private static final class Where {
        final List<Equality> equalities = new ArrayList<>();
        boolean other;
        final Set<String> otherColumns = new LinkedHashSet<>();
    }

    private static Where where(Expression where, TableName table, String alias) {
        Where w = new Where();
        if (where != null) {
            conjuncts(where, table, alias, w);
        }
        return w;
    }

    private static void conjuncts(Expression e, TableName table, String alias, Where w) {
        while (e instanceof Parenthesis) {
            e = ((Parenthesis) e).getExpression();
        }
        if (e instanceof ParenthesedExpressionList && ((ParenthesedExpressionList<?>) e).size() == 1) {
            conjuncts((Expression) ((ParenthesedExpressionList<?>) e).get(0), table, alias, w);
            return;
        }
        if (e instanceof AndExpression) {
            conjuncts(((AndExpression) e).getLeftExpression(), table, alias, w);
            conjuncts(((AndExpression) e).getRightExpression(), table, alias, w);
            return;
        }
        if (e instanceof EqualsTo && table != null) {
            Expression l = ((EqualsTo) e).getLeftExpression();
            Expression r = ((EqualsTo) e).getRightExpression();
            if (l instanceof Column && r instanceof JdbcParameter && onTable((Column) l, table, alias)) {
                w.equalities.add(new Equality(columnName((Column) l), slotOf(r)));
                return;
            }
            if (r instanceof Column && l instanceof JdbcParameter && onTable((Column) r, table, alias)) {
                w.equalities.add(new Equality(columnName((Column) r), slotOf(l)));
                return;
            }
        }
        w.other = true;
        w.otherColumns.addAll(columnsIn(e, table, alias));
    }

    // ---- names and values -----------------------------------------------------------------------

    private static boolean onTable(Column c, TableName table, String alias) {
        Table t = c.getTable();
        if (t == null || t.getName() == null) {
            return true;
        }
        String q = unquote(t.getName());
        return q.equals(table.name()) || q.equals(alias);
    }

    private static Set<String> columnsIn(Expression e, TableName table, String alias) {
        Set<String> cols = new LinkedHashSet<>();
        e.accept(new ExpressionVisitorAdapter<Void>() {
            @Override
            public <S> Void visit(Column column, S context) {
                if (table == null || onTable(column, table, alias)) {
                    cols.add(columnName(column));
                }
                return null;
            }
        }, null);
        return cols;
    }

    private static int slotOf(Expression e) {
        while (e instanceof Parenthesis) {
            e = ((Parenthesis) e).getExpression();
        }
        if (e instanceof JdbcParameter && ((JdbcParameter) e).getIndex() != null) {
            return ((JdbcParameter) e).getIndex();
        }
        return 0;
    }

    private static TableName tableName(Table t) {
        String schema = t.getSchemaName() == null ? null : unquote(t.getSchemaName());
        return new TableName(schema, unquote(t.getName()));
    }

    private static String aliasOf(Alias a) {
        return a == null ? null : unquote(a.getName());
    }

    private static String columnName(Column c) {
        return unquote(c.getColumnName());
    }

    static String unquote(String name) {
        String n = name;
        if (n.length() >= 2 && (n.charAt(0) == '`' || n.charAt(0) == '"') && n.charAt(n.length() - 1) == n.charAt(0)) {
            n = n.substring(1, n.length() - 1);
        }
        return n.toLowerCase(Locale.ROOT);
    }
}
