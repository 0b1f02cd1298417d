package io.jdbcguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a new text that differs from a known one only in its literals takes that one's shape
 * without being lexed. Differential: for every text the scan accepts (the corpus, its literal variants,
 * and random texts over an alphabet full of the lexer's special characters), the shape made from the
 * template equals the lexer's own, fact by fact, literal by literal, offset by offset.
 */
class LiteralScanTest {

    /** Everything a shape says, literal values and offsets included. */
    static String full(SqlShape s) {
        StringBuilder sb = new StringBuilder(ShapeDescriber.describe(s)).append(" | ").append(s.normalized())
                .append(" | params=").append(s.paramCount()).append(" | lock@").append(s.lockClauseStart())
                .append(" | end@").append(s.statementEnd()).append(" | locks=").append(s.namedLock())
                .append(s.releasesNamedLock()).append(" |");
        for (int i = 1; i <= s.slotCount(); i++) {
            SqlShape.Slot slot = s.slot(i);
            Object v = slot.literal();
            sb.append(' ').append(slot.paramIndex() > 0 ? "$" + slot.paramIndex()
                    : v == null ? "null" : v.getClass().getSimpleName() + ":" + v);
        }
        return sb.toString();
    }

    /** The shape through the cache and template path, after a sibling text taught it the template. */
    private static void assertSameAsLexed(String sql) {
        LiteralScan scan = LiteralScan.of(sql);
        SqlShape lexed = SqlShapes.classify(sql);
        if (scan == null) {
            return;
        }
        assertThat(scan.normalized.toString()).as(sql).isEqualTo(lexed.normalized());
        assertThat(scan.normalized.hashCode()).as(sql).isEqualTo(lexed.normalized().hashCode());
        assertThat(scan.slots.length).as(sql).isEqualTo(lexed.slotCount());
        assertThat(full(SqlShapes.of(sql))).as(sql).isEqualTo(full(lexed));
    }

    @Test
    void everyCorpusTextAndItsLiteralVariantsGetTheLexersShape() throws Exception {
        int accepted = 0;
        for (SqlCorpusTest.Case c : SqlCorpusTest.corpus()) {
            String sql = c.sql();
            assertSameAsLexed(sql); // teaches the template, if any
            for (String variant : variants(sql)) {
                assertSameAsLexed(variant);
                if (LiteralScan.of(variant) != null) {
                    accepted++;
                }
            }
        }
        assertThat(accepted).as("the scan serves a good part of the corpus").isGreaterThan(40);
    }

    /** The text with each number and each simple string literal replaced by another of another length. */
    private static List<String> variants(String sql) {
        return List.of(sql.replaceAll("\\b\\d+\\b", "123456789"), sql.replaceAll("'[^'\\\\]*'", "'x y'"),
                sql.replaceAll("\\b\\d+\\b", "7").replaceAll("'[^'\\\\]*'", "''") + "  ", "  " + sql);
    }

    @Test
    void aPlainStatementWithANewLiteralTakesItsSiblingsShape() {
        String a = "SELECT a.id, a.balance FROM accounts a WHERE a.status = 1 AND a.id = 1000001";
        String b = "SELECT a.id, a.balance FROM accounts a WHERE a.status = 1 AND a.id = 2000000002";
        SqlShape first = SqlShapes.of(a);
        SqlShape second = SqlShapes.of(b);
        assertThat(second.structure()).isSameAs(first.structure()); // from the template: not read again
        assertThat(second.slot(2).literal()).isEqualTo(2000000002L);
        assertThat(second.statementEnd()).isEqualTo(b.length());
        assertThat(full(second)).isEqualTo(full(SqlShapes.classify(b)));
    }

    @Test
    void randomTextsTheScanAcceptsGetTheLexersShape() {
        String[] pieces = {"SELECT", "select", "id", "a.b", "FROM", "t", "WHERE", "x", "=", "<=", ">", "!=", "AND",
            "OR", "(", ")", ",", "?", "1", "42", "007", "1.5", ".5", "1e3", "0x1F", "1st", "'s'", "''", "'a''b'",
            "'a\\'b'", "'it''s'", "\"q\"", "`c`", "@v", "@@x", "#c\n", "-- c\n", "--x", "/* c */", "/*!50000 IGNORE */",
            ";", "FOR", "UPDATE", "LOCK", "IN", "SHARE", "MODE", "INSERT", "INTO", "VALUES", "UPDATE", "SET",
            "DELETE", "LIMIT", "ORDER", "BY", "N'x'", "x'0A'", "_utf8'x'", "é", "\t", "\n", "  ", "-", "+", "*",
            "/", "%", "COUNT(*)", "EXISTS", "GET_LOCK('l', 1)", "START", "TRANSACTION", "autocommit", "= 0",
            "SESSION", "ISOLATION", "LEVEL", "READ", "COMMITTED", "WITH", "JOIN", "ON", "99999999999999999999"};
        Random r = new Random(14);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(14);
            for (int k = 0; k < n; k++) {
                sb.append(pieces[r.nextInt(pieces.length)]).append(r.nextInt(4) == 0 ? "" : " ");
            }
            String sql = sb.toString();
            assertSameAsLexed(sql);
            // A sibling with other literals, through the template the first one may have taught.
            String sibling = sql.replaceAll("\\b\\d+\\b", "31337").replaceAll("'[^'\\\\]*'", "'zz'");
            assertSameAsLexed(sibling);
            if (LiteralScan.of(sibling) != null) {
                accepted++;
            }
        }
        assertThat(accepted).as("random texts the scan accepted").isGreaterThan(1_000);
    }

    @Test
    void textsTheScanIsNotSureOfAreDeclined() {
        List<String> declined = new ArrayList<>();
        for (String sql : List.of("SELECT 1 -- c", "SELECT /* c */ 1", "SELECT `a` FROM t", "SELECT 'a\\'b'",
                "SELECT 'it''s'", "SELECT \"x\"", "SELECT 1.5", "SELECT .5", "SELECT 1e3", "SELECT 0x1F",
                "SELECT @v", "SELECT 1; SELECT 2", "SELECT N'x'", "SELECT _utf8'x'", "SELECT 'open",
                "SELECT 99999999999999999999", "SELECT é FROM t", "SELECT 1 # c")) {
            if (LiteralScan.of(sql) == null) {
                declined.add(sql);
            }
        }
        assertThat(declined).hasSize(18);
    }
}
