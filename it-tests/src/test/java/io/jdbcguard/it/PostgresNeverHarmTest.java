package io.jdbcguard.it;

import static io.jdbcguard.it.PostgresGetOrCreateTest.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.internal.InternalErrors;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Issue 22, first law on PostgreSQL, differentially: each program runs straight on pgJDBC and through the guard;
 * what the application observes (results, update counts, generated keys, exceptions by class and SQLState, the
 * server error's constraint, table, schema and detail, savepoint ids) and the table afterwards must be identical.
 * The one documented difference, the repair of a duplicate key after a check, is {@link PostgresGetOrCreateTest}'s;
 * here it is shown identical with {@code guard.recovery=off}.
 */
class PostgresNeverHarmTest {

    /** What a program observed, in order, with the server error's fields pgJDBC adds. */
    static final class Observed extends NeverHarmTest.Observed {
        @Override
        void failed(SQLException e) {
            StringBuilder sb = new StringBuilder("threw ").append(e.getClass().getName()).append(" state=")
                    .append(e.getSQLState()).append(" code=").append(e.getErrorCode());
            if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
                ServerErrorMessage m = p.getServerErrorMessage();
                sb.append(" constraint=").append(m.getConstraint()).append(" table=").append(m.getTable())
                        .append(" schema=").append(m.getSchema()).append(" detail=").append(m.getDetail());
            }
            if (e instanceof BatchUpdateException b) {
                sb.append(" counts=").append(java.util.Arrays.toString(b.getUpdateCounts()));
            }
            log.add(sb.toString());
        }
    }

    @FunctionalInterface
    interface Program {
        void run(Connection c, Observed o) throws Exception;
    }

    @BeforeEach
    void forget() {
        io.jdbcguard.Guard.global().forgetCurrentThread();
    }

    static void resetTable() throws SQLException {
        exec("DROP TABLE IF EXISTS nh_pg", "CREATE TABLE nh_pg (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL"
                + " CONSTRAINT ux_nh_pg UNIQUE, note TEXT, doc JSONB)",
                "INSERT INTO nh_pg (email, doc) VALUES ('victim', '{\"tags\": [\"a\"]}'), ('victim2', '{}')");
    }

    static List<String> table() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = PgDatabase.raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, email, note, doc FROM nh_pg ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
            }
        }
        return rows;
    }

    /** Runs the program straight and through the guard; asserts identical observations and tables; returns them. */
    static List<String> sameBothWays(Program p, String... guardParams) throws Exception {
        resetTable();
        Observed raw = new Observed();
        try (Connection c = PgDatabase.raw()) {
            p.run(c, raw);
        }
        List<String> rawTable = table();
        resetTable();
        io.jdbcguard.Guard.global().forgetCurrentThread();
        long internalBefore = InternalErrors.count();
        Observed guarded = new Observed();
        try (Connection c = DriverManager.getConnection(PgDatabase.guardUrl(guardParams))) {
            p.run(c, guarded);
        }
        assertThat(guarded.log).as("what the application observed").isEqualTo(raw.log);
        assertThat(table()).as("the table afterwards").isEqualTo(rawTable);
        assertThat(InternalErrors.count()).as("no internal error").isEqualTo(internalBefore);
        return raw.log;
    }

    private static Object rows(Statement st, String sql) throws SQLException {
        if (!st.execute(sql)) {
            return "count " + st.getUpdateCount();
        }
        StringBuilder sb = new StringBuilder("rows");
        try (ResultSet rs = st.getResultSet()) {
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                sb.append(" [");
                for (int i = 1; i <= cols; i++) {
                    sb.append(rs.getString(i)).append(i < cols ? "," : "]");
                }
            }
        }
        return sb.toString();
    }

    @Test
    void postgresSyntaxRunsExactlyAsStraight() throws Exception {
        List<String> seen = sameBothWays((c, o) -> {
            try (Statement st = c.createStatement()) {
                for (String sql : List.of(
                        "SELECT id FROM nh_pg WHERE email = $$victim$$",
                        "SELECT id FROM nh_pg WHERE email = $q$vic'tim$q$ OR note = E'it\\'s'",
                        "SELECT id FROM \"nh_pg\" /* outer /* inner */ still a comment */ WHERE \"email\" = 'victim'",
                        "SELECT id::text || '#' FROM nh_pg WHERE doc ?? 'tags'",
                        "SELECT id FROM nh_pg WHERE doc @> '{\"tags\": [\"a\"]}'::jsonb",
                        "SELECT id FROM nh_pg WHERE email = 'victim' FOR NO KEY UPDATE SKIP LOCKED",
                        "SELECT id FROM nh_pg WHERE email = 'victim2' FOR KEY SHARE NOWAIT",
                        "INSERT INTO nh_pg (email) VALUES ('n1') RETURNING id, email",
                        "INSERT INTO nh_pg (email) VALUES ('n1') ON CONFLICT (email) DO NOTHING",
                        "INSERT INTO nh_pg (email, note) VALUES ('n1', 'x') ON CONFLICT ON CONSTRAINT ux_nh_pg"
                                + " DO UPDATE SET note = excluded.note RETURNING note",
                        "UPDATE nh_pg SET note = 'u' WHERE email = 'n1' RETURNING id",
                        "DELETE FROM nh_pg WHERE email = 'victim2' RETURNING email",
                        "SELECT 1 # 3, 'a' -- a comment ' with a quote\n",
                        "SELECT $1",
                        "SELECT id FROM nh_pg WHERE email = 'unterminated",
                        "INSERT INTO nh_pg (email) VALUES ('victim')")) {
                    o.step(() -> rows(st, sql));
                }
            }
        });
        assertThat(seen.get(0)).isEqualTo("rows [1]");
        assertThat(seen.get(seen.size() - 1)).contains("state=23505", "constraint=ux_nh_pg");
    }

    @Test
    void anAbortedTransactionSavepointsBatchesAndGeneratedKeysAreTheDriversOwn() throws Exception {
        List<String> seen = sameBothWays((c, o) -> {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                // The application's own savepoints keep the driver's numbering (the guard's is a named one).
                Savepoint sp = c.setSavepoint();
                o.step(sp::getSavepointId);
                o.step(() -> st.executeUpdate("INSERT INTO nh_pg (email) VALUES ('victim')")); // 23505, no check before
                o.step(() -> rows(st, "SELECT count(*) FROM nh_pg")); // 25P02 straight: the transaction is aborted
                c.rollback(sp);
                o.step(() -> rows(st, "SELECT count(*) FROM nh_pg"));
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO nh_pg (email) VALUES (?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, "g1");
                    o.step(ps::executeUpdate);
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        o.step(() -> keys.next() ? keys.getString("email") : "none");
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO nh_pg (email) VALUES (?)")) {
                    for (String e : new String[] {"b1", "victim", "b2"}) {
                        ps.setString(1, e);
                        ps.addBatch();
                    }
                    o.step(() -> java.util.Arrays.toString(ps.executeBatch()));
                }
                c.rollback();
                o.step(() -> rows(st, "SELECT email FROM nh_pg ORDER BY id"));
                c.commit();
            }
        });
        assertThat(seen.get(1)).contains("state=23505");
        assertThat(seen.get(2)).contains("state=25P02");
        assertThat(seen.get(6)).contains("BatchUpdateException", "state=23505");
    }

    /**
     * The guard's savepoints (taken before each INSERT that completes a check, left open to the transaction's end,
     * the ninth and later released at once) change nothing the application's own savepoints do around them.
     */
    @Test
    void theGuardsSavepointsChangeNothingTheApplicationsOwnSavepointsDo() throws Exception {
        sameBothWays((c, o) -> {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                Savepoint outer = c.setSavepoint("app_outer");
                for (int i = 0; i < 12; i++) {
                    String email = "s" + i;
                    o.step(() -> rows(st, "SELECT id FROM nh_pg WHERE email = '" + email + "'"));
                    o.step(() -> st.executeUpdate("INSERT INTO nh_pg (email) VALUES ('" + email + "')"));
                }
                c.rollback(outer); // every insert above undone, the guard's savepoints with them
                o.step(() -> rows(st, "SELECT count(*) FROM nh_pg"));
                Savepoint inner = c.setSavepoint();
                o.step(inner::getSavepointId);
                o.step(() -> rows(st, "SELECT id FROM nh_pg WHERE email = 'kept'"));
                o.step(() -> st.executeUpdate("INSERT INTO nh_pg (email) VALUES ('kept')"));
                c.releaseSavepoint(inner);
                c.releaseSavepoint(outer);
                o.step(() -> rows(st, "SELECT id FROM nh_pg WHERE email = 'after'"));
                o.step(() -> st.executeUpdate("INSERT INTO nh_pg (email) VALUES ('after')"));
                o.step(() -> st.executeUpdate("INSERT INTO nh_pg (email, note) VALUES ('bad', 1/0)")); // 22012
                o.step(() -> rows(st, "SELECT count(*) FROM nh_pg")); // 25P02 both ways: not rolled back to
                c.rollback();
                o.step(() -> rows(st, "SELECT email FROM nh_pg ORDER BY id"));
                c.commit();
            }
        });
    }

    /**
     * A check and its INSERT in a transaction an earlier error already aborted: the guard's savepoint fails there
     * as the INSERT itself would (25P02); the INSERT then fails as straight, and that is no internal error.
     */
    @Test
    void aSavepointInAnAbortedTransactionIsTheApplicationsAffair() throws Exception {
        List<String> seen = sameBothWays((c, o) -> {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                o.step(() -> rows(st, "SELECT id FROM nh_pg WHERE email = 'z'"));
                o.step(() -> rows(st, "SELECT 1/0"));
                o.step(() -> st.executeUpdate("INSERT INTO nh_pg (email) VALUES ('z')"));
                c.rollback();
            }
        });
        assertThat(seen.get(1)).contains("state=22012");
        assertThat(seen.get(2)).contains("state=25P02");
    }

    @Test
    void withRecoveryOffACheckedDuplicateAbortsTheTransactionAsStraight() throws Exception {
        List<String> seen = sameBothWays((c, o) -> {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                o.step(() -> rows(st, "SELECT id FROM nh_pg WHERE email = 'k'"));
                exec("INSERT INTO nh_pg (email) VALUES ('k')");
                o.step(() -> st.executeUpdate("INSERT INTO nh_pg (email) VALUES ('k')"));
                o.step(() -> rows(st, "SELECT id FROM nh_pg WHERE email = 'k'"));
                c.rollback();
            }
        }, "guard.recovery=off");
        assertThat(seen.get(2)).contains("state=25P02");
    }

    @Test
    void aTerminatedBackendFailsAsTheDriverSaysAndIsNoInternalError() throws Exception {
        List<String> seen = sameBothWays((c, o) -> {
            int pid;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                o.step(() -> rows(st, "SELECT id FROM nh_pg WHERE email = 'k'"));
                exec("SELECT pg_terminate_backend(" + pid + ", 5000)"); // returns once the backend is gone
                o.step(() -> st.executeUpdate("INSERT INTO nh_pg (email) VALUES ('k')"));
                o.step(() -> rows(st, "DELETE FROM nh_pg WHERE email = 'victim'"));
            }
        });
        assertThat(seen.get(1)).startsWith("threw ").contains("state=57P01");
    }

    /** A fuzz sample of texts read in PostgreSQL's syntax, through a real connection, as straight. */
    @Test
    void aFuzzSampleRunsThroughARealConnectionExactlyAsStraight() throws Exception {
        SqlFuzz fuzz = SqlFuzz.postgres(FuzzTest.SEED + 7);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            texts.add(fuzz.mutated());
        }
        List<String> seen = sameBothWays((c, o) -> {
            try (Statement st = c.createStatement()) {
                for (String sql : texts) {
                    o.step(() -> rows(st, sql.replace("fz_t", "nh_pg")));
                }
            }
        });
        assertThat(seen).hasSize(300);
        assertThat(seen).anyMatch(s -> s.startsWith("rows")).anyMatch(s -> s.startsWith("threw"));
    }
}
