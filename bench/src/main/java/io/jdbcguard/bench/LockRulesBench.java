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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 23: what the lock rules (lock-without-index, lock-order, deadlock) cost, on the stub driver: every rule on
 * ({@code guard}) against every rule but those ({@code guard-nolocks}). Statements they do not read (a point
 * select, an UPDATE under autocommit) and statements they do (an UPDATE in a transaction whose WHERE an index
 * serves; a transaction that locks two tables in the one order the application always uses).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class LockRulesBench {

    @Param({"raw", "guard-nolocks", "guard"})
    public String variant;

    private Connection auto;
    private Connection tx;
    private PreparedStatement point;
    private PreparedStatement autoUpdate;
    private PreparedStatement txUpdate;
    private PreparedStatement txOther;
    private long counter;

    @Setup(Level.Trial)
    public void open() throws SQLException {
        StubDriver.load();
        auto = Variants.open(variant, StubBench.URL);
        point = auto.prepareStatement("SELECT id, balance FROM accounts WHERE id = ?");
        autoUpdate = auto.prepareStatement("UPDATE accounts SET balance = ? WHERE `42` = ?");
        tx = Variants.open(variant, StubBench.URL);
        tx.setAutoCommit(false);
        txUpdate = tx.prepareStatement("UPDATE accounts SET balance = ? WHERE `42` = ?");
        txOther = tx.prepareStatement("UPDATE ledger SET total = total + ? WHERE `42` = ?");
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        auto.close();
        tx.close();
    }

    /** Not read by the lock rules: a prepared point select under autocommit. */
    @Benchmark
    public long pointSelect() throws SQLException {
        point.setLong(1, 7);
        try (ResultSet rs = point.executeQuery()) {
            rs.next();
            return rs.getLong(2);
        }
    }

    /** Not read by the lock rules either: an UPDATE under autocommit (no transaction holds its locks). */
    @Benchmark
    public int autocommitUpdate() throws SQLException {
        autoUpdate.setLong(1, counter++);
        autoUpdate.setLong(2, 7);
        return autoUpdate.executeUpdate();
    }

    /** Read: an UPDATE by an indexed column in a transaction, and its commit. */
    @Benchmark
    public int transactionUpdate() throws SQLException {
        txUpdate.setLong(1, counter++);
        txUpdate.setLong(2, 7);
        int n = txUpdate.executeUpdate();
        tx.commit();
        return n;
    }

    /** Read: a transaction that locks two tables, in the order it always does, and commits. */
    @Benchmark
    public int twoTablesInOrder() throws SQLException {
        txUpdate.setLong(1, counter++);
        txUpdate.setLong(2, 7);
        int n = txUpdate.executeUpdate();
        txOther.setLong(1, 1);
        txOther.setLong(2, 7);
        n += txOther.executeUpdate();
        tx.commit();
        return n;
    }
}
