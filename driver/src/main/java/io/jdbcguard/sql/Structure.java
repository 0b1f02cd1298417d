package io.jdbcguard.sql;

import java.util.List;
import java.util.Set;

/**
 * The structural facts of a DML statement, read once per normalised text. Table and column names are
 * lower case, without quotes; aliases are resolved to their tables. A value is referred to by its slot
 * in the normalised text ({@link SqlShape#slot}), 0 where it is an expression rather than one value.
 *
 * @param table            the one table the statement reads or writes, or {@code null} when it touches
 *                         several (joins, subqueries in FROM)
 * @param keyEqualities    the WHERE clause's top-level ANDed {@code column = value} terms on {@code table}
 * @param otherPredicates  whether the WHERE has terms besides {@code keyEqualities}
 * @param otherColumns     the columns those other terms refer to
 * @param form             how a SELECT answers
 * @param limitSlot        slot of the LIMIT row count, 0 if none or not a single value
 * @param selectedColumns  the columns a SELECT returns ({@code *} for all)
 * @param insertColumns    the columns an INSERT names, in order (empty when it names none)
 * @param insertRows       the slots of each inserted row, aligned with {@code insertColumns}
 * @param assignments      an UPDATE's {@code SET} terms, or an upsert's {@code ON DUPLICATE KEY UPDATE} terms
 * @param collections      a SELECT's {@code LEFT JOIN}ed tables (the root's collections, as ORMs fetch them) with
 *                         the columns it returns of each; empty for anything else
 */
public record Structure(
        TableName table,
        List<Equality> keyEqualities,
        boolean otherPredicates,
        Set<String> otherColumns,
        SelectForm form,
        int limitSlot,
        List<String> selectedColumns,
        List<String> insertColumns,
        List<List<Integer>> insertRows,
        List<Assignment> assignments,
        List<Collection> collections) {

    /**
     * A table whose rows a SELECT returns beside its root's, through a {@code LEFT JOIN}: the columns returned
     * of it, and its columns the join's {@code ON} names (the link to the root, such as {@code owner_id}).
     */
    public record Collection(TableName table, List<String> selectedColumns, Set<String> linkColumns) {
    }

    /** A table, schema-qualified when the statement qualifies it. */
    public record TableName(String schema, String name) {
        @Override
        public String toString() {
            return schema == null ? name : schema + "." + name;
        }
    }

    /** {@code column = value} in a WHERE clause. */
    public record Equality(String column, int slot) {
    }

    /**
     * {@code column = expression} in an UPDATE.
     *
     * @param slot              the value's slot when the expression is one value, else 0
     * @param selfReferencing   whether the expression refers to the column itself ({@code c = c + 1})
     * @param referencedColumns every column the expression refers to
     */
    public record Assignment(String column, int slot, boolean selfReferencing, Set<String> referencedColumns) {
    }

    /** How a SELECT answers. */
    public enum SelectForm {
        /** Not a SELECT. */
        NONE,
        /** Rows of the table. */
        ROWS,
        /** {@code SELECT COUNT(…)}: one row, a count. */
        COUNT,
        /** {@code SELECT EXISTS(SELECT … FROM t WHERE …)}: one row, 0 or 1. */
        EXISTS
    }
}
