package io.jdbcguard.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates hostile statement texts from a seed: mutations of real statements (comments, version and
 * executable comments, quotes, backticks, unterminated strings, NULs, unicode), nesting up to 10,000
 * levels, and texts up to 1 MB. Deterministic for a seed, so a failure can be replayed.
 */
public final class SqlFuzz {

    /** Statements the mutations start from: what the guard analyses, and its neighbours. */
    static final String[] SEEDS = {
        "SELECT id FROM fz_t WHERE email = 'a@x' AND tenant = 3",
        "select f1_0.id,f1_0.email from fz_t f1_0 where f1_0.email=? limit ?",
        "SELECT COUNT(*) FROM fz_t WHERE email = 'x'",
        "SELECT EXISTS(SELECT 1 FROM fz_t WHERE email = 'y') AS present",
        "SELECT id FROM fz_t WHERE email = 'r1' /*M! LIMIT 1 */",
        "SELECT id FROM fz_t WHERE id IN (1, 2, 3) ORDER BY id DESC LIMIT 2 OFFSET 1",
        "(SELECT id FROM fz_t WHERE email = 'p')",
        "SELECT id FROM fz_t WHERE email = 'a' UNION SELECT id FROM fz_t WHERE email = 'b'",
        "SELECT id FROM fz_t WHERE note LIKE '%x%' OR email = \"q\" FOR UPDATE",
        "SELECT `id` FROM `fz_t` WHERE `email` = _utf8mb4'z' COLLATE utf8mb4_bin LOCK IN SHARE MODE",
        "INSERT INTO fz_t (email, note) VALUES ('n@x', 'it''s'), ('m@x', 'back\\'slash')",
        "UPDATE fz_t SET note = CONCAT(note, ?) WHERE id = ? AND email = ?",
        "DELETE FROM fz_t WHERE email = 'gone' LIMIT 1",
    };
    private static final String[] PIECES = {"'", "\"", "`", "(", ")", "/*", "*/", "/*!", "/*!50000 ", "/*M!", "/*M!100100 ",
        "-- ", "#", ";", "\\", "?", "\n", "\0", "\u00e9", "\u4e2d", "\ud83d\ude00", "\ud800", " AND ", " OR ", " LOCK ",
        " FOR ", " UPDATE", " INTO ", " LIMIT ", " ROWS EXAMINED ", " = ", ",", ".", "@", "@@", " SELECT ", " FROM ",
        " WHERE ", "0x", "1e", "-", "N'", "_binary'"};

    /** PostgreSQL's statements: double-quoted names, dollar quotes, E'' strings, casts, jsonb operators, upserts. */
    static final String[] PG_SEEDS = {
        "SELECT id FROM fz_t WHERE email = $$a@x$$ AND note = E'it\\'s'",
        "SELECT \"id\" FROM \"fz_t\" WHERE \"email\" = 'q' FOR NO KEY UPDATE SKIP LOCKED",
        "SELECT id::text FROM fz_t /* a /* nested */ comment */ WHERE doc ?? 'tags'",
        "SELECT id FROM fz_t WHERE doc @> '{\"a\": 1}'::jsonb AND email = $tag$x$tag$",
        "INSERT INTO fz_t (email) VALUES ('n@x') ON CONFLICT (email) DO NOTHING RETURNING id",
        "UPDATE fz_t SET note = note || 'x' WHERE id = 1 RETURNING id",
        "SELECT count(*) FROM fz_t WHERE email = 'x' FOR UPDATE OF fz_t NOWAIT",
    };
    private static final String[] PG_PIECES = {"'", "\"", "$$", "$t$", "$1", "E'", "::", "??", "/*", "*/", "--", "#", "@",
        ";", "\\", "?", "\n", "\u00e9", "(", ")", " FOR ", " KEY ", " SHARE", " NO ", " RETURNING ", " ON CONFLICT "};

    private final Random random;
    private final String[] seeds;
    private final String[] pieces;

    public SqlFuzz(long seed) {
        this(seed, SEEDS, PIECES);
    }

    private SqlFuzz(long seed, String[] seeds, String[] pieces) {
        this.random = new Random(seed);
        this.seeds = seeds;
        this.pieces = pieces;
    }

    /** Mutations of PostgreSQL's statements, with PostgreSQL's quoting pieces among the usual ones. */
    public static SqlFuzz postgres(long seed) {
        String[] pieces = java.util.Arrays.copyOf(PIECES, PIECES.length + PG_PIECES.length);
        System.arraycopy(PG_PIECES, 0, pieces, PIECES.length, PG_PIECES.length);
        return new SqlFuzz(seed, PG_SEEDS, pieces);
    }

    /** One mutated statement: a seed with a few pieces inserted, removed or replaced. */
    public String mutated() {
        StringBuilder sb = new StringBuilder(seeds[random.nextInt(seeds.length)]);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(sb.length() + 1);
            switch (random.nextInt(3)) {
                case 0:
                    sb.insert(at, pieces[random.nextInt(pieces.length)]);
                    break;
                case 1:
                    if (sb.length() > 0) {
                        int end = Math.min(sb.length(), at + 1 + random.nextInt(6));
                        sb.delete(Math.min(at, sb.length() - 1), end);
                    }
                    break;
                default:
                    if (at < sb.length()) {
                        sb.setCharAt(at, pieces[random.nextInt(pieces.length)].charAt(0));
                    }
            }
        }
        return sb.toString();
    }

    /** Texts of the families issue 9 found pathological, at sizes up to 10,000 levels and 1 MB. */
    public static List<String> extremes() {
        List<String> out = new ArrayList<>();
        for (int depth : new int[] {12, 14, 40, 200, 10_000}) {
            out.add("SELECT id FROM fz_t WHERE " + "(".repeat(depth) + "email='a'" + ")".repeat(depth));
            out.add("SELECT id FROM fz_t WHERE " + "(".repeat(depth) + "email='a'");
            out.add("SELECT id FROM fz_t WHERE " + "email='a'" + ")".repeat(depth));
            out.add("SELECT id FROM fz_t WHERE id IN " + "(SELECT id FROM fz_t WHERE id IN ".repeat(Math.min(depth, 2000))
                    + "(1)" + ")".repeat(Math.min(depth, 2000)));
        }
        StringBuilder in = new StringBuilder("SELECT id FROM fz_t WHERE id IN (");
        for (int i = 0; i < 2000; i++) {
            in.append(i == 0 ? "" : ",").append(i);
        }
        out.add(in.append(')').toString());
        out.add("SELECT id FROM fz_t WHERE id = " + "7".repeat(1 << 20));
        out.add("SELECT id FROM fz_t WHERE email = '" + "x".repeat(1 << 20) + "'");
        out.add("SELECT id FROM fz_t WHERE email = '" + "x".repeat(1 << 20));
        out.add("SELECT id FROM fz_t /*" + " ".repeat(1 << 20));
        out.add("SELECT id FROM fz_t WHERE " + "email = ? AND ".repeat(50_000) + "id = ?");
        out.add("SELECT " + "`".repeat(100_001));
        out.add("\0".repeat(1 << 16));
        out.add("SELECT id FROM fz_t WHERE email = '" + "\u4e2d\ud83d\ude00".repeat(100_000) + "'");
        out.add("/*!50000 ".repeat(20_000) + "SELECT 1");
        out.add("INSERT INTO fz_t (email) VALUES " + "('a'),".repeat(100_000) + "('b')");
        return out;
    }
}
