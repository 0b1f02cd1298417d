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
        assertThat(a.structure()).isSameAs(b.structure());
        assertThat(a.slot(1).literal()).isEqualTo("a@x");
        assertThat(b.slot(1).literal()).isEqualTo("b@y");
    }

    @Test
    void lockClauseOffsetsPointIntoTheOriginalText() {
        String sql = "SELECT * FROM t WHERE id = ? /* c */ LOCK IN SHARE MODE ;";
        SqlShape s = SqlShapes.of(sql);
        assertThat(sql.substring(s.lockClauseStart())).startsWith("LOCK IN SHARE MODE");
        assertThat(sql.substring(0, s.statementEnd())).endsWith("MODE");
        SqlShape plain = SqlShapes.of("SELECT * FROM t WHERE id = ?  ");
        assertThat(plain.lockClauseStart()).isEqualTo(-1);
        assertThat(plain.statementEnd()).isEqualTo("SELECT * FROM t WHERE id = ?".length());
    }

    @Test
    void anyTextIsClassifiedWithoutThrowing() {
        for (String s : new String[] {"", "   ", "'unterminated", "/* unterminated", "`x", "((((", "))))", ";",
                "SELECT '\\", "?????", "\u0000", "SELECT ```a```"}) {
            assertThat(SqlShapes.of(s)).isNotNull();
        }
    }

    @Test
    void cachesAreBounded() {
        for (int i = 0; i < SqlShapes.MAX_ENTRIES * 2 + 10; i++) {
            SqlShapes.of("SELECT c" + i + " FROM t" + i + " WHERE id = ?");
        }
        int[] sizes = SqlShapes.cacheSizes();
        assertThat(sizes[0]).isLessThanOrEqualTo(SqlShapes.MAX_ENTRIES);
        assertThat(sizes[1]).isLessThanOrEqualTo(SqlShapes.MAX_ENTRIES);
    }
}
