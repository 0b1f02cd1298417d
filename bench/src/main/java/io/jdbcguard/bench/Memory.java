package io.jdbcguard.bench;

import io.jdbcguard.stub.StubDriver;
import io.jdbcguard.jdbc.GuardConnection;
import io.jdbcguard.sql.SqlShapes;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.openjdk.jol.info.GraphLayout;

/** Retained heap of the guard's state, measured with JOL's object graph walk (not estimated). */
final class Memory {

    record Result(long connectionStateBytes, long listenerStateBytes, long threadMemoryBytes, long statements,
                  long shapeCacheBytes, int textEntries, int normalizedEntries, int distinctTexts) {
    }

    private Memory() {
    }

    static Result measure(long statements, int distinctTexts) throws Exception {
        StubDriver.load();
        long connBytes;
        long listenerBytes;
        long threadBytes;
        try (Connection c = DriverManager.getConnection("jdbc:guard:stub:memory")) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, balance FROM accounts WHERE id = ?")) {
                for (long i = 0; i < statements; i++) {
                    ps.setLong(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                    }
                }
            }
            Field d = GuardConnection.class.getSuperclass().getDeclaredField("delegate");
            d.setAccessible(true);
            Object delegate = d.get(c);
            // The connection reaches its guard's shared state (bus, rules, reporter, the thread map of the
            // pattern memory, hence threads): that is the guard's, not this connection's, and is subtracted.
            connBytes = GraphLayout.parseInstance(c).subtract(GraphLayout.parseInstance(delegate,
                    io.jdbcguard.Guard.global().core(), Thread.currentThread())).totalSize();
            // This thread's pattern memory (the rules' thread-local slot), minus what exists without it: the
            // thread itself (facts name their thread, which reaches its class loader and much more), the
            // connection graph and the shape caches. Detached from the thread first, so that subtracting the
            // thread's graph does not subtract the memory too.
            Object rules = io.jdbcguard.Guard.global().core().rules();
            Object patternMemory = field(rules, "memory");
            Object[] slot = (Object[]) ((ThreadLocal<?>) field(patternMemory, "slot")).get();
            Object memory = slot[0];
            slot[0] = null;
            GraphLayout without = GraphLayout.parseInstance(Thread.currentThread(), c,
                    staticField(SqlShapes.class, "BY_TEXT"), staticField(SqlShapes.class, "BY_NORMALIZED"),
                    staticField(SqlShapes.class, "TEMPLATES"));
            threadBytes = GraphLayout.parseInstance(memory).subtract(without).totalSize();
            // The rules' own state: what they accumulate (call-site samples per SQL, places and their
            // findings), walked alone. Walking the listeners themselves reaches, through the facts' connection,
            // the guard, its threads and their class loader: everything static in the JVM.
            Object sampler = null;
            for (Object l : (java.util.List<?>) field(rules, "listeners")) {
                if (l.getClass().getSimpleName().equals("PatternRecorder")) {
                    sampler = field(l, "sites");
                }
            }
            listenerBytes = GraphLayout.parseInstance(field(sampler, "reads"),
                    field(io.jdbcguard.Guard.global().core().reporter(), "places")).totalSize();
            c.commit();
        }
        try (Connection c = DriverManager.getConnection("jdbc:guard:stub:memory"); Statement st = c.createStatement()) {
            for (int i = 0; i < distinctTexts; i++) {
                st.executeQuery("SELECT c" + i + " FROM t" + (i % 97) + " WHERE id = ?").close();
            }
        }
        Object byText = staticField(SqlShapes.class, "BY_TEXT");
        Object byNormalized = staticField(SqlShapes.class, "BY_NORMALIZED");
        long cacheBytes = GraphLayout.parseInstance(byText, byNormalized, staticField(SqlShapes.class, "TEMPLATES"))
                .totalSize();
        int[] sizes = SqlShapes.cacheSizes();
        return new Result(connBytes, listenerBytes, threadBytes, statements, cacheBytes, sizes[0], sizes[1], distinctTexts);
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    private static Object staticField(Class<?> type, String name) throws ReflectiveOperationException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(null);
    }
}
