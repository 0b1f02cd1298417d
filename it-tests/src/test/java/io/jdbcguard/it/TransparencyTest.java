package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.jdbc.JdbcStatement;
import io.jdbcguard.jdbc.GuardConnection;
import java.math.BigDecimal;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same operations straight through Connector/J and through the guard give the same results and the
 * same errors (class, SQLState, vendor code); back-references return the guard's wrappers; unwrap reaches
 * the vendor's interfaces.
 */
class TransparencyTest {

    /** An operation whose result is rendered as text for comparison; an exception is rendered by class and codes. */
    interface Op {
        Object run(Connection c) throws Exception;
    }

    @BeforeEach
    void tables() {
        TestDatabase.exec("DROP TABLE IF EXISTS tr_items",
                "CREATE TABLE tr_items (id BIGINT AUTO_INCREMENT PRIMARY KEY, sku VARCHAR(40) NOT NULL UNIQUE, "
                        + "qty INT, price DECIMAL(10,2), seen TIMESTAMP NULL, data VARBINARY(16)) ENGINE=InnoDB");
    }

    /** Runs op on a fresh table straight, then on a fresh table through the guard; returns both renderings. */
    private static String[] both(Op op) throws Exception {
        String[] out = new String[2];
        for (int i = 0; i < 2; i++) {
            TestDatabase.exec("TRUNCATE TABLE tr_items");
            try (Connection c = i == 0 ? TestDatabase.raw() : TestDatabase.guarded()) {
                if (i == 1) {
                    assertThat(c).isInstanceOf(GuardConnection.class);
                }
                out[i] = render(op, c);
            }
        }
        return out;
    }

    private static String render(Op op, Connection c) {
        try {
            Object r = op.run(c);
            return r instanceof int[] ? Arrays.toString((int[]) r)
                    : r instanceof long[] ? Arrays.toString((long[]) r) : String.valueOf(r);
        } catch (Exception e) {
            return describe(e);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getClass().getName());
        if (e instanceof SQLException) {
            SQLException s = (SQLException) e;
            sb.append(" state=").append(s.getSQLState()).append(" code=").append(s.getErrorCode());
        }
        if (e instanceof BatchUpdateException) {
            sb.append(" counts=").append(Arrays.toString(((BatchUpdateException) e).getUpdateCounts()));
        }
        return sb.append(" msg=").append(e.getMessage()).toString();
    }

    private static void assertSame(Op op) throws Exception {
        String[] r = both(op);
        assertThat(r[1]).as("through the guard").isEqualTo(r[0]);
    }

    private static String rows(ResultSet rs) throws SQLException {
        StringBuilder sb = new StringBuilder();
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
            sb.append('[');
            for (int i = 1; i <= md.getColumnCount(); i++) {
                sb.append(i > 1 ? "," : "").append(md.getColumnLabel(i)).append('=').append(rs.getString(i));
            }
            sb.append(']');
        }
        return sb.toString();
    }

    @Test
    void crudThroughPlainStatements() throws Exception {
        assertSame(c -> {
            try (Statement st = c.createStatement()) {
                List<Object> out = new ArrayList<>();
                out.add(st.executeUpdate("INSERT INTO tr_items (sku, qty, price) VALUES ('a', 1, 9.50), ('b', 2, NULL)"));
                out.add(st.executeUpdate("UPDATE tr_items SET qty = qty + 1 WHERE sku = 'a'"));
                out.add(st.execute("SELECT sku, qty, price FROM tr_items ORDER BY sku"));
                out.add(rows(st.getResultSet()));
                out.add(st.getUpdateCount());
                out.add(st.execute("DELETE FROM tr_items WHERE sku = 'b'"));
                out.add(st.getUpdateCount());
                out.add(st.executeLargeUpdate("UPDATE tr_items SET qty = 7"));
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) AS n, SUM(qty) AS q FROM tr_items")) {
                    out.add(rows(rs));
                }
                return out;
            }
        });
    }

    @Test
    void preparedStatementsWithEveryCommonType() throws Exception {
        assertSame(c -> {
            List<Object> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO tr_items (sku, qty, price, seen, data) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, "x");
                ps.setInt(2, 3);
                ps.setBigDecimal(3, new BigDecimal("12.34"));
                ps.setTimestamp(4, Timestamp.valueOf("2026-01-02 03:04:05"));
                ps.setBytes(5, new byte[] {1, 2, 3});
                out.add(ps.executeUpdate());
                ps.clearParameters();
                ps.setString(1, "y");
                ps.setNull(2, Types.INTEGER);
                ps.setObject(3, null, Types.DECIMAL);
                ps.setNull(4, Types.TIMESTAMP);
                ps.setNull(5, Types.VARBINARY);
                out.add(ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT sku, qty, price, seen, HEX(data) d FROM tr_items WHERE sku IN (?, ?) ORDER BY sku")) {
                ps.setString(1, "x");
                ps.setString(2, "y");
                try (ResultSet rs = ps.executeQuery()) {
                    out.add(rows(rs));
                }
                out.add(ps.getParameterMetaData().getParameterCount());
            }
            return out;
        });
    }

    @Test
    void batchesAndTheirFailures() throws Exception {
        assertSame(c -> {
            List<Object> out = new ArrayList<>();
            try (Statement st = c.createStatement()) {
                st.addBatch("INSERT INTO tr_items (sku) VALUES ('s1')");
                st.addBatch("INSERT INTO tr_items (sku) VALUES ('s2')");
                st.addBatch("UPDATE tr_items SET qty = 1");
                out.add(Arrays.toString(st.executeBatch()));
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tr_items (sku, qty) VALUES (?, ?)")) {
                for (int i = 0; i < 5; i++) {
                    ps.setString(1, "p" + i);
                    ps.setInt(2, i);
                    ps.addBatch();
                }
                out.add(Arrays.toString(ps.executeBatch()));
                ps.setString(1, "p9");
                ps.setInt(2, 9);
                ps.addBatch();
                ps.setString(1, "p1");
                ps.setInt(2, 1);
                ps.addBatch();
                try {
                    ps.executeBatch();
                } catch (BatchUpdateException e) {
                    out.add(describe(e));
                }
                ps.clearBatch();
                out.add(Arrays.toString(ps.executeBatch()));
            }
            return out;
        });
    }

    @Test
    void generatedKeys() throws Exception {
        assertSame(c -> {
            List<Object> out = new ArrayList<>();
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO tr_items (sku) VALUES ('g1')", Statement.RETURN_GENERATED_KEYS);
                try (ResultSet keys = st.getGeneratedKeys()) {
                    out.add(rows(keys));
                    assertThat(keys.getStatement()).isSameAs(st);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tr_items (sku) VALUES (?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "g2");
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    out.add(rows(keys));
                }
            }
            return out;
        });
    }

    @Test
    void metadata() throws Exception {
        assertSame(c -> {
            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getConnection()).isSameAs(c);
            List<Object> out = new ArrayList<>();
            out.add(md.getDatabaseProductName());
            out.add(md.getDriverName());
            out.add(md.getURL());
            out.add(md.supportsTransactions());
            try (ResultSet rs = md.getColumns(TestDatabase.DATABASE, null, "tr_items", "%")) {
                StringBuilder cols = new StringBuilder();
                while (rs.next()) {
                    cols.append(rs.getString("COLUMN_NAME")).append(':').append(rs.getString("TYPE_NAME")).append(' ');
                }
                out.add(cols);
                Statement owner = rs.getStatement();
                if (owner != null) {
                    assertThat(owner.getConnection()).isSameAs(c);
                }
            }
            try (ResultSet rs = md.getPrimaryKeys(TestDatabase.DATABASE, null, "tr_items")) {
                out.add(rows(rs));
            }
            return out;
        });
    }

    @Test
    void transactionsAndSavepoints() throws Exception {
        assertSame(c -> {
            List<Object> out = new ArrayList<>();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO tr_items (sku) VALUES ('t1')");
                c.rollback();
                st.executeUpdate("INSERT INTO tr_items (sku) VALUES ('t2')");
                Savepoint sp = c.setSavepoint("sp1");
                st.executeUpdate("INSERT INTO tr_items (sku) VALUES ('t3')");
                c.rollback(sp);
                st.executeUpdate("INSERT INTO tr_items (sku) VALUES ('t4')");
                c.releaseSavepoint(c.setSavepoint());
                c.commit();
                c.setAutoCommit(true);
                try (ResultSet rs = st.executeQuery("SELECT sku FROM tr_items ORDER BY sku")) {
                    out.add(rows(rs));
                }
            }
            out.add(c.getAutoCommit());
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            out.add(c.getTransactionIsolation());
            c.setReadOnly(true);
            out.add(c.isReadOnly());
            c.setReadOnly(false);
            out.add(c.getCatalog());
            return out;
        });
    }

    @Test
    void scrollableResultSetsAndStreamingALargeResult() throws Exception {
        TestDatabase.exec("DROP TABLE IF EXISTS tr_big",
                "CREATE TABLE tr_big (id INT PRIMARY KEY)",
                "INSERT INTO tr_big SELECT seq FROM seq_1_to_20000");
        assertSame(c -> {
            List<Object> out = new ArrayList<>();
            try (Statement st = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
                 ResultSet rs = st.executeQuery("SELECT id FROM tr_big WHERE id <= 10 ORDER BY id")) {
                out.add(rs.getType());
                out.add(rs.last());
                out.add(rs.getRow());
                out.add(rs.absolute(3) + ":" + rs.getInt(1));
                out.add(rs.previous() + ":" + rs.getInt(1));
                rs.beforeFirst();
                out.add(rs.next() + ":" + rs.getInt(1));
            }
            try (Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                st.setFetchSize(Integer.MIN_VALUE);
                long sum = 0;
                int n = 0;
                try (ResultSet rs = st.executeQuery("SELECT id FROM tr_big")) {
                    while (rs.next()) {
                        sum += rs.getInt(1);
                        n++;
                    }
                }
                out.add(n + "/" + sum);
            }
            return out;
        });
    }

    @Test
    void errorsAreTheRealDriversExceptions() throws Exception {
        Op syntax = c -> {
            try (Statement st = c.createStatement()) {
                return st.executeQuery("SELEKT 1");
            }
        };
        Op duplicate = c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO tr_items (sku) VALUES ('d')");
                return st.executeUpdate("INSERT INTO tr_items (sku) VALUES ('d')");
            }
        };
        Op missingTable = c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM tr_nope WHERE id = ?")) {
                ps.setInt(1, 1);
                return ps.executeQuery();
            }
        };
        Op closedStatement = c -> {
            Statement st = c.createStatement();
            st.close();
            return st.executeQuery("SELECT 1");
        };
        for (Op op : List.of(syntax, duplicate, missingTable, closedStatement)) {
            String[] r = both(op);
            assertThat(r[0]).contains("Exception");
            assertThat(r[1]).isEqualTo(r[0]);
        }
        // The exception is the driver's own object: its stack starts in Connector/J, no guard wrapper around it.
        try (Connection c = TestDatabase.guarded(); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("SELECT * FRM tr_items"))
                    .isInstanceOf(java.sql.SQLSyntaxErrorException.class)
                    .satisfies(e -> assertThat(e.getStackTrace()[0].getClassName()).startsWith("com.mysql"));
        }
    }

    @Test
    void backReferencesAreWrappersAndUnwrapReachesTheVendor() throws Exception {
        try (Connection c = TestDatabase.guarded()) {
            Statement st = c.createStatement();
            assertThat(st.getConnection()).isSameAs(c);
            ResultSet rs = st.executeQuery("SELECT 1");
            assertThat(rs.getStatement()).isSameAs(st);
            assertThat(st.getResultSet()).isSameAs(rs);
            PreparedStatement ps = c.prepareStatement("SELECT ?");
            assertThat(ps.getConnection()).isSameAs(c);
            ps.setInt(1, 1);
            assertThat(ps.executeQuery().getStatement()).isSameAs(ps);
            assertThat(c.prepareCall("SELECT 1").getConnection()).isSameAs(c);

            assertThat(c.isWrapperFor(JdbcConnection.class)).isTrue();
            assertThat(c.unwrap(JdbcConnection.class)).isNotSameAs(c).isInstanceOf(JdbcConnection.class);
            assertThat(c.unwrap(Connection.class)).isSameAs(c);
            assertThat(c.unwrap(GuardConnection.class)).isSameAs(c);
            assertThat(st.isWrapperFor(JdbcStatement.class)).isTrue();
            assertThat(st.unwrap(JdbcStatement.class)).isInstanceOf(JdbcStatement.class);
            assertThat(rs.unwrap(com.mysql.cj.jdbc.result.ResultSetInternalMethods.class)).isNotNull();
            assertThatThrownBy(() -> c.unwrap(String.class)).isInstanceOf(SQLException.class);

            // JDBC 4.3 default methods reach the vendor's implementation.
            c.beginRequest();
            c.endRequest();
            assertThat(st.enquoteLiteral("it's")).isEqualTo(c.unwrap(JdbcConnection.class).createStatement()
                    .enquoteLiteral("it's"));

            rs.close();
            st.close();
            assertThat(rs.isClosed()).isTrue();
            assertThat(st.isClosed()).isTrue();
        }
        Connection c = TestDatabase.guarded();
        Statement st = c.createStatement();
        c.close();
        assertThat(c.isClosed()).isTrue();
        assertThat(st.isClosed()).isTrue();
    }
}
