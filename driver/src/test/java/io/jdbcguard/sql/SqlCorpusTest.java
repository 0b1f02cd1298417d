package io.jdbcguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The SQL layer against a corpus of real statements (Hibernate 7 and jOOQ shapes, hand-written MySQL):
 * each must yield exactly the facts written beside it in {@code sql-corpus.txt}.
 */
class SqlCorpusTest {

    record Case(String sql, String expected) {
    }

    static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = SqlCorpusTest.class.getResourceAsStream("/sql-corpus.txt")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank() || lines[i].startsWith("#")) {
                    continue;
                }
                String expected = lines[++i].trim();
                assertThat(expected).as("line after " + lines[i - 1]).startsWith("=> ");
                cases.add(new Case(lines[i - 1], expected.substring(3)));
            }
        }
        return cases;
    }

    @TestFactory
    List<DynamicTest> everyStatementYieldsItsFacts() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : corpus()) {
            tests.add(DynamicTest.dynamicTest(c.sql(), () ->
                    assertThat(ShapeDescriber.describe(SqlShapes.classify(c.sql()))).isEqualTo(c.expected())));
        }
        return tests;
    }

    @Test
    void theCorpusIsLargeEnough() throws IOException {
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(100);
    }

    @Test
    void normalisationMakesOneCacheKeyForTextsThatDifferOnlyInLiteralsAndSpacing() {
        SqlShape a = SqlShapes.of("SELECT id FROM users WHERE email = 'a@x' /* one */");
        SqlShape b = SqlShapes.of("SELECT id  FROM users\n WHERE email = 'b@y'");
        assertThat(a.normalized()).isEqualTo(b.normalized()).isEqualTo("SELECT id FROM users WHERE email = ?");
        // Equal, not always the same object: a plain text may take its structure from a literal template,
        // which another text of the same normalised form left when the caches held other entries.
        assertThat(a.structure()).isEqualTo(b.structure());
        assertThat(a.slot(1).literal()).isEqualTo("a@x");
        assertThat(b.slot(1).literal()).isEqualTo("b@y");
    }

    @Test
    void lockClauseOffsetsPointIntoTheOriginalText() {
        String sql = "SELECT * FROM t WHERE id = ? /* c */ LOCK IN SHARE MODE ;";
        SqlShape s = SqlShapes.of(sql);
        assertThat(sql.substring(s.lockClauseStart())).startsWith("LOCK IN SHARE MODE");
        assertThat(s.statementEnd()).as("a locking read gets no second lock clause").isEqualTo(-1);
        SqlShape plain = SqlShapes.of("SELECT * FROM t WHERE id = ?  ");
        assertThat(plain.lockClauseStart()).isEqualTo(-1);
        assertThat(plain.statementEnd()).isEqualTo("SELECT * FROM t WHERE id = ?".length());
    }

    @Test
    void aLockClauseGoesBeforeTrailingCommentsAndSemicolonOnlyWhereTheGrammarIsKnown() {
        String[][] known = {
            {"SELECT id FROM users WHERE email = ? ;", "SELECT id FROM users WHERE email = ?"},
            {"SELECT id FROM users WHERE email = ? -- why\n", "SELECT id FROM users WHERE email = ?"},
            {"SELECT id FROM users WHERE email = ? /* c */", "SELECT id FROM users WHERE email = ?"},
            {"SELECT id FROM users WHERE email = ? LIMIT 1 OFFSET 2", "SELECT id FROM users WHERE email = ? LIMIT 1 OFFSET 2"},
            {"SELECT id FROM users WHERE email = ? ORDER BY id LIMIT ?", "SELECT id FROM users WHERE email = ? ORDER BY id LIMIT ?"},
        };
        for (String[] k : known) {
            assertThat(k[0].substring(0, SqlShapes.of(k[0]).statementEnd())).as(k[0]).isEqualTo(k[1]);
        }
        for (String unknown : new String[] {
            "SELECT id FROM users WHERE email='r1' /*M! LIMIT 1 */",
            "SELECT id FROM users WHERE email='r1' /*!50000 LIMIT 1 */",
            "SELECT id FROM users WHERE email='r1' /*M!100100 LIMIT 1 */",
            "(SELECT id FROM users WHERE email = ?)",
            "SELECT id INTO @x FROM users WHERE email = ?",
            "SELECT id FROM users WHERE email = ? INTO @x",
            "SELECT id FROM users WHERE email = ? PROCEDURE ANALYSE()",
            "SELECT id FROM users WHERE email = ? UNION SELECT id FROM admins WHERE email = ?",
            "SELECT id FROM users WHERE email = ?; DELETE FROM users",
            "SELECT u.id FROM users u JOIN orders o ON o.user_id = u.id WHERE u.email = ?",
            "SELECT id FROM users WHERE ((email = ?",
        }) {
            assertThat(SqlShapes.of(unknown).statementEnd()).as(unknown).isEqualTo(-1);
        }
    }

    @Test
    void anyTextIsClassifiedWithoutThrowing() {
        for (String s : new String[] {"", "   ", "'unterminated", "/* unterminated", "`x", "((((", "))))", ";",
                "SELECT '\\", "?????", "\u0000", "SELECT ```a```", "SELECT 1e99999999999", "SELECT 1.5e-3000000000"}) {
            assertThat(SqlShapes.of(s)).isNotNull();
        }
    }

    @Test
    void cachesAreBoundedInBytesNotEntries() {
        // Issue 9: 4,000 distinct 8 KB statements held 241 MB when the bound was 4,096 entries.
        String pad = "x".repeat(7_900);
        for (int i = 0; i < 4_000; i++) {
            SqlShapes.of("SELECT c" + i + " FROM t WHERE id = ? AND note = '" + pad + "'");
        }
        long[] bytes = SqlShapes.cacheBytes();
        assertThat(bytes[0]).isLessThanOrEqualTo(SqlShapes.MAX_CACHE_BYTES);
        assertThat(bytes[1]).isLessThanOrEqualTo(SqlShapes.MAX_CACHE_BYTES);
        // Each text holds 16 KB of chars at least (the text and its literal): the weight must count them.
        assertThat((long) SqlShapes.cacheSizes()[0] * 2 * 7_900).isLessThanOrEqualTo(SqlShapes.MAX_CACHE_BYTES);
        for (int i = 0; i < 20_000; i++) {
            SqlShapes.of("SELECT c" + i + " FROM t" + i + " WHERE id = ?");
        }
        assertThat(SqlShapes.cacheBytes()[0]).isLessThanOrEqualTo(SqlShapes.MAX_CACHE_BYTES);
    }
}
