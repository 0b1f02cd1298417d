package io.jdbcguard.bench;

import io.jdbcguard.stub.StubDriver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 24: what observed-race costs while transactions of several threads overlap (4 threads, the stub driver),
 * rule on ({@code guard}) against rule off ({@code guard-norace}). The transaction reads a row by key, updates it
 * by key and commits: every such pair of transactions is a lost update the rule compares (and reports, counted at
 * one place), so this is its busiest case, not its usual one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(4)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ObservedRaceBench {

    @Param({"raw", "guard-norace", "guard"})
    public String variant;

    private Connection auto;
    private Connection tx;
    private PreparedStatement point;
    private PreparedStatement read;
    private PreparedStatement update;
    private long counter;

    @Setup(Level.Trial)
    public void open() throws SQLException {
        StubDriver.load();
        auto = Variants.open(variant, StubBench.URL);
        point = auto.prepareStatement("SELECT id, balance FROM accounts WHERE id = ?");
        tx = Variants.open(variant, StubBench.URL);
        tx.setAutoCommit(false);
        read = tx.prepareStatement("SELECT balance FROM accounts WHERE `42` = ?");
        update = tx.prepareStatement("UPDATE accounts SET balance = ? WHERE `42` = ?");
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        auto.close();
        tx.close();
    }

    /** Not read by the rule: a point select under autocommit, while other threads run too. */
    @Benchmark
    public long pointSelect() throws SQLException {
        point.setLong(1, 7);
        try (ResultSet rs = point.executeQuery()) {
            rs.next();
            return rs.getLong(2);
        }
    }

    /** Read: read a row by key, write it back by key, commit (three statements). */
    @Benchmark
    public int readUpdateCommit() throws SQLException {
        read.setLong(1, 7);
        long balance;
        try (ResultSet rs = read.executeQuery()) {
            rs.next();
            balance = rs.getLong(1);
        }
        update.setLong(1, balance + (counter++ & 7));
        update.setLong(2, 7);
        int n = update.executeUpdate();
        tx.commit();
        return n;
    }
}
