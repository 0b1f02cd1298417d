package io.jdbcguard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generated forwarding classes are current (byte for byte what the generator writes for this JDK's
 * {@code java.sql}), and the wrappers built on them are complete: every interface method is implemented,
 * and every method listed as hand-written really is written by hand.
 */
class ForwardingSourcesTest {

    @Test
    void generatedSourcesAreCurrent() throws Exception {
        Path driver = Path.of("").toAbsolutePath();
        Map<String, String> expected = ForwardingGenerator.generate();
        if (Boolean.getBoolean("jdbcguard.regenerate")) {
            ForwardingGenerator.main(new String[] {driver.toString()});
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path file = ForwardingGenerator.targetDir(driver).resolve(e.getKey());
            assertThat(Files.readString(file, StandardCharsets.UTF_8))
                    .as(e.getKey() + " is stale: regenerate with "
                            + "mvn -pl driver test -Dtest=ForwardingSourcesTest -Djdbcguard.regenerate=true")
                    .isEqualTo(e.getValue());
        }
    }

    @Test
    void wrappersImplementEveryInterfaceMethodAndEachHandWrittenOne() throws Exception {
        Map<Class<?>, Class<?>> wrappers = Map.of(
                java.sql.Connection.class, GuardConnection.class,
                java.sql.Statement.class, GuardStatement.class,
                java.sql.PreparedStatement.class, GuardPreparedStatement.class,
                java.sql.CallableStatement.class, GuardCallableStatement.class,
                java.sql.ResultSet.class, GuardResultSet.class,
                java.sql.DatabaseMetaData.class, GuardDatabaseMetaData.class);
        for (ForwardingGenerator.Spec spec : ForwardingGenerator.SPECS) {
            Class<?> wrapper = wrappers.get(spec.iface());
            assertThat(Modifier.isAbstract(wrapper.getModifiers())).as(wrapper + " is concrete").isFalse();
            for (Method m : spec.iface().getMethods()) {
                if (Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                Method impl = wrapper.getMethod(m.getName(), m.getParameterTypes());
                assertThat(impl.getDeclaringClass().isInterface())
                        .as(wrapper.getSimpleName() + " implements " + m + " (not the interface default)")
                        .isFalse();
                if (spec.handWritten().contains(m.getName())) {
                    assertThat(impl.getDeclaringClass().getSimpleName())
                            .as(m.getName() + " is hand-written in a Guard class")
                            .startsWith("Guard");
                }
            }
        }
    }
}
