package io.jdbcguard.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Renders a shape's facts as one line, for the corpus test: only what differs from the defaults. */
final class ShapeDescriber {

    private ShapeDescriber() {
    }

    static String describe(SqlShape s) {
        List<String> parts = new ArrayList<>();
        parts.add(s.kind().name());
        if (s.lock() != LockMode.NONE) {
            parts.add("lock=" + s.lock());
        }
        if (s.insertVariant() != InsertVariant.NONE) {
            parts.add("variant=" + s.insertVariant());
        }
        if (s.set().isolation() != null) {
            parts.add("iso=" + s.set().isolation() + "@" + s.set().isolationScope());
        }
        if (s.set().autocommit() != null) {
            parts.add("autocommit=" + s.set().autocommit());
        }
        if (s.implicitCommit()) {
            parts.add("implicit-commit");
        }
        if (s.namedLock()) {
            parts.add("named-lock");
        }
        Structure st = s.structure();
        if (st == null) {
            if (s.kind().isDml()) {
                parts.add("unanalysed");
            }
            return String.join(" ", parts);
        }
        parts.add("table=" + st.table());
        if (!st.keyEqualities().isEmpty()) {
            parts.add("eq=[" + st.keyEqualities().stream().map(e -> e.column() + "=" + value(s, e.slot()))
                    .collect(Collectors.joining(",")) + "]");
        }
        if (st.otherPredicates()) {
            parts.add("other=" + st.otherColumns());
        }
        if (st.form() == Structure.SelectForm.COUNT || st.form() == Structure.SelectForm.EXISTS) {
            parts.add("form=" + st.form());
        }
        if (st.limitSlot() > 0) {
            parts.add("limit=" + value(s, st.limitSlot()));
        }
        if (!st.selectedColumns().isEmpty()) {
            parts.add("sel=" + st.selectedColumns());
        }
        if (!st.insertColumns().isEmpty() || !st.insertRows().isEmpty()) {
            parts.add("ins=(" + String.join(",", st.insertColumns()) + ")");
            parts.add("rows=" + st.insertRows().stream()
                    .map(r -> r.stream().map(k -> value(s, k)).collect(Collectors.joining(",", "(", ")")))
                    .collect(Collectors.joining("")));
        }
        if (!st.assignments().isEmpty()) {
            parts.add("set=[" + st.assignments().stream().map(a -> a.column() + "="
                    + (a.slot() > 0 ? value(s, a.slot()) : a.selfReferencing() ? "self" : "expr" + a.referencedColumns()))
                    .collect(Collectors.joining(",")) + "]");
        }
        return String.join(" ", parts);
    }

    private static String value(SqlShape s, int slot) {
        if (slot <= 0) {
            return "expr";
        }
        SqlShape.Slot v = s.slot(slot);
        if (v.paramIndex() > 0) {
            return "$" + v.paramIndex();
        }
        return v.literal() instanceof String ? "'" + v.literal() + "'" : String.valueOf(v.literal());
    }
}
