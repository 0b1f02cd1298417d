package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: redeploying an application (its guard closed, its class loader dropped) leaves no guard
 * thread, MBean or thread-local value behind, on a thread that outlives the application (a pool's).
 */
class RedeployTest {

    /** The guard's jar (or classes) and SLF4J's, in a class loader of their own, as a web application has. */
    private static URLClassLoader applicationLoader() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String n = new File(e).getName();
            if (n.matches("jdbc-guard-\\d.*\\.jar") && !n.contains("tests") || e.endsWith("driver/target/classes")
                    || n.startsWith("slf4j-api")) {
                urls.add(new File(e).toURI().toURL());
            }
        }
        assertThat(urls).hasSize(2);
        return new URLClassLoader("redeployed-app", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    @Test
    void aClosedGuardLeavesNothingAndItsClassLoaderIsCollected() throws Exception {
        TestDatabase.execGuarded("DROP TABLE IF EXISTS rd_u",
                "CREATE TABLE rd_u (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100))");
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "app-server-pool"));
        try {
            WeakReference<ClassLoader> loader = deployUseAndUndeploy(pool);
            for (int i = 0; i < 50 && loader.get() != null; i++) {
                System.gc();
                Thread.sleep(100);
            }
            assertThat(loader.get()).as("the application's class loader, collected").isNull();
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                    .noneMatch(n -> n.startsWith("jdbc-guard-guard-"));
        } finally {
            pool.shutdownNow();
        }
    }

    private static WeakReference<ClassLoader> deployUseAndUndeploy(ExecutorService pool) throws Exception {
        URLClassLoader app = applicationLoader();
        Class<?> guardClass = Class.forName("io.jdbcguard.Guard", true, app);
        assertThat(guardClass.getClassLoader()).isSameAs(app);
        AutoCloseable guard = (AutoCloseable) guardClass.getConstructor().newInstance();
        DataSource raw = new RawDataSource();
        DataSource guarded = (DataSource) Class.forName("io.jdbcguard.GuardDataSource", true, app)
                .getConstructor(DataSource.class, guardClass).newInstance(raw, guard);
        // The application's work runs on a pool thread that outlives the application.
        pool.submit(() -> {
            try (Connection c = guarded.getConnection(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT id FROM rd_u WHERE email = 'redeploy@x'")) {
                    assertThat(rs.next()).isFalse();
                }
                st.executeUpdate("INSERT INTO rd_u (email) VALUES ('redeploy@x')");
            }
            return null;
        }).get(30, TimeUnit.SECONDS);
        Object core = guardClass.getMethod("core").invoke(guard);
        Object rules = core.getClass().getMethod("rules").invoke(core);
        assertThat((int) rules.getClass().getMethod("threadsHeld").invoke(rules)).as("the pool thread's memory").isEqualTo(1);
        long deadline = System.currentTimeMillis() + 10_000;
        while (!(boolean) core.getClass().getMethod("mbeanRegistered").invoke(core) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(
                new ObjectName("io.jdbcguard:type=GuardStats,name=*"), null)).isNotEmpty();

        guard.close(); // the application is undeployed

        assertThat((int) rules.getClass().getMethod("threadsHeld").invoke(rules)).isZero();
        assertThat((boolean) core.getClass().getMethod("mbeanRegistered").invoke(core)).isFalse();
        app.close();
        return new WeakReference<>(app);
    }

    /** Connections straight from Connector/J (the test's class loader, as the server's pool would be). */
    static final class RawDataSource extends ConnectionSource {
        @Override
        public Connection getConnection() throws java.sql.SQLException {
            return TestDatabase.raw();
        }
    }
}
