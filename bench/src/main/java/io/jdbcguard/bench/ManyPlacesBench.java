package io.jdbcguard.bench;

import io.jdbcguard.stub.StubDriver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.hibernate.benchshim.Frames;
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
 * Issue 19: one prepared point select run from many places, as every {@code findById} of an application
 * is: from 1, 8 or 64 call sites in turn, or once from one place and then always from another; under 10 or
 * 100 frames of ORM between the call site and JDBC; with a fixed or a new value each time. ns per
 * statement for each variant on the stub driver; the added cost is the variant's minus {@code raw}'s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ManyPlacesBench {

    /** The shapes: places in turn, or once at one place then always at another. */
    public static final String[] SHAPES = {"1-place", "8-places", "64-places", "once-then-there"};

    @Param({"raw", "guard", "p6spy-core", "dsproxy"})
    public String variant;

    @Param({"1-place", "8-places", "64-places", "once-then-there"})
    public String shape;

    @Param({"10", "100"})
    public int depth;

    @Param({"fixed", "varying"})
    public String values;

    private Connection connection;
    private PreparedStatement point;
    private Callable<Long>[] sites;
    private int places;
    private int next;

    @Setup(Level.Trial)
    public void open() throws Exception {
        StubDriver.load();
        connection = Variants.open(variant, StubBench.URL);
        point = connection.prepareStatement("SELECT id, balance FROM accounts WHERE id = ?");
        sites = Sites.of(new Frames.Select(point, depth, values.equals("varying")));
        places = shape.equals("1-place") || shape.equals("once-then-there") ? 1 : Integer.parseInt(shape.split("-")[0]);
        if (shape.equals("once-then-there")) {
            sites[63].call(); // once, elsewhere; then always at site 0
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        connection.close();
    }

    @Benchmark
    public long pointSelect() throws Exception {
        Callable<Long> site = sites[next];
        next = next + 1 == places ? 0 : next + 1;
        return site.call();
    }
}
