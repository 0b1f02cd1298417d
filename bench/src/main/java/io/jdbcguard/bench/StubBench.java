package io.jdbcguard.bench;

import io.jdbcguard.stub.StubDriver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Interception cost on a stub driver (no network): ns per operation for each variant. The added cost of
 * a variant is its score minus {@code raw}'s. Each variant runs in a JVM of its own.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class StubBench {

    static final String URL = "jdbc:stub:bench";
    /** 93 characters; with a 7-digit literal, 100. */
    static final String PLAIN = "SELECT a.id, a.balance, a.owner, a.updated_at FROM accounts a WHERE a.status = 1 AND a.id =  ";

    @Param({"raw", "guard-off", "guard-norules", "guard", "p6spy-logging", "p6spy-core", "dsproxy"})
    public String variant;

    private Connection connection;
    private Connection txConnection;
    private PreparedStatement point;
    private PreparedStatement insert;
    private PreparedStatement delete;
    private Statement plain;
    private PreparedStatement check;
    private PreparedStatement checkInsert;
    private long counter;

    @Setup(Level.Trial)
    public void open() throws SQLException {
        StubDriver.load();
        connection = Variants.open(variant, URL);
        point = connection.prepareStatement("SELECT id, balance FROM accounts WHERE id = ?");
        insert = connection.prepareStatement("INSERT INTO events (kind, ref) VALUES (?, ?)");
        delete = connection.prepareStatement("DELETE FROM sessions WHERE id = ?");
        plain = connection.createStatement();
        txConnection = Variants.open(variant, URL);
        txConnection.setAutoCommit(false);
        check = txConnection.prepareStatement("SELECT id FROM users WHERE email = ? /* missing */");
        checkInsert = txConnection.prepareStatement("INSERT INTO users (email, name) VALUES (?, ?)");
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        connection.close();
        txConnection.close();
    }

    /** A repeated prepared point select: executeQuery, next, getLong, close. */
    @Benchmark
    public long pointSelect() throws SQLException {
        point.setLong(1, 7);
        try (ResultSet rs = point.executeQuery()) {
            rs.next();
            return rs.getLong(2);
        }
    }

    /** prepareStatement, execute, close. */
    @Benchmark
    public long prepareExecuteClose() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, balance FROM accounts WHERE id = ?")) {
            ps.setLong(1, 7);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A repeated prepared insert. */
    @Benchmark
    public int preparedInsert() throws SQLException {
        insert.setString(1, "login");
        insert.setLong(2, counter++);
        return insert.executeUpdate();
    }

    /** A prepared DELETE by id: a kind no rule reads after it runs. */
    @Benchmark
    public int preparedDelete() throws SQLException {
        delete.setLong(1, counter++);
        return delete.executeUpdate();
    }

    /**
     * A plain Statement whose 100-character text carries a different literal every time (a text the guard
     * has not seen: exercises the shape caches' miss path).
     */
    @Benchmark
    public long plainStatementLiterals() throws SQLException {
        try (ResultSet rs = plain.executeQuery(PLAIN + (1_000_000 + (counter++ & 0xFFFFF)))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The seed's transaction: check by key (no row), insert the key, commit (exercises the rules). */
    @Benchmark
    public int checkThenInsert() throws SQLException {
        String email = "u" + (counter++ & 0xFFFF) + "@example.com";
        check.setString(1, email);
        try (ResultSet rs = check.executeQuery()) {
            if (rs.next()) {
                txConnection.commit();
                return 0;
            }
        }
        checkInsert.setString(1, email);
        checkInsert.setString(2, "n");
        int n = checkInsert.executeUpdate();
        txConnection.commit();
        return n;
    }
}
