package io.jdbcguard.jdbc;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes the pure-forwarding base classes of the JDBC wrappers from the {@code java.sql} interfaces of
 * the running JDK. Hand-written subclasses ({@code Guard*}) implement only what the guard intercepts;
 * every other method of the interface is generated here as a one-line forward to the delegate.
 *
 * <p>Run {@code mvn -pl driver test -Dtest=ForwardingSourcesTest -Djdbcguard.regenerate=true} to rewrite
 * the files; {@code ForwardingSourcesTest} fails while they differ from what this class writes.
 */
public final class ForwardingGenerator {

    /** One generated class. */
    record Spec(String className, Class<?> iface, Class<?> parentIface, String superClass, String delegateField,
                String ctorOwnerType, Set<String> handWritten) {
        /** Constructor parameters the superclass takes after (connection, delegate). */
        String extraParams() {
            return "GuardPreparedStatement".equals(superClass) ? ", java.lang.String sql, io.jdbcguard.sql.SqlShape shape" : "";
        }

        String extraArgs() {
            return "GuardPreparedStatement".equals(superClass) ? ", sql, shape" : "";
        }
    }

    /** Return types the generator must never forward unwrapped: hand-written methods return wrappers. */
    private static final Set<Class<?>> WRAPPED_TYPES = Set.of(Connection.class, Statement.class,
            PreparedStatement.class, CallableStatement.class, DatabaseMetaData.class);

    static final List<Spec> SPECS = List.of(
            new Spec("ForwardingConnection", Connection.class, null, null, "delegate", null,
                    Set.of("createStatement", "prepareStatement", "prepareCall", "getMetaData", "setAutoCommit",
                            "commit", "rollback", "setTransactionIsolation", "close")),
            new Spec("ForwardingStatement", Statement.class, null, null, "delegate", "GuardConnection",
                    Set.of("executeQuery", "executeUpdate", "execute", "executeLargeUpdate", "addBatch",
                            "clearBatch", "executeBatch", "executeLargeBatch", "getResultSet", "getConnection")),
            new Spec("ForwardingPreparedStatement", PreparedStatement.class, Statement.class, "GuardStatement",
                    "psDelegate", "GuardConnection",
                    Set.of("executeQuery", "executeUpdate", "execute", "executeLargeUpdate", "addBatch",
                            "clearParameters")),
            new Spec("ForwardingCallableStatement", CallableStatement.class, PreparedStatement.class,
                    "GuardPreparedStatement", "csDelegate", "GuardConnection", Set.of()),
            new Spec("ForwardingResultSet", ResultSet.class, null, null, "delegate", null,
                    Set.of("next", "getStatement")),
            new Spec("ForwardingDatabaseMetaData", DatabaseMetaData.class, null, null, "delegate", null,
                    Set.of("getConnection")));

    private ForwardingGenerator() {
    }

    /** The generated sources, by file name. */
    static Map<String, String> generate() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Spec spec : SPECS) {
            out.put(spec.className() + ".java", source(spec));
        }
        return out;
    }

    static List<Method> forwardedMethods(Spec spec) {
        List<Method> methods = new ArrayList<>();
        for (Method m : spec.iface().getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || spec.handWritten().contains(m.getName())) {
                continue;
            }
            if (spec.parentIface() != null && declaredIn(spec.parentIface(), m)) {
                continue;
            }
            if (m.getName().equals("unwrap") || m.getName().equals("isWrapperFor")) {
                continue;
            }
            if (WRAPPED_TYPES.contains(m.getReturnType())) {
                throw new IllegalStateException(spec.iface().getSimpleName() + "." + m.getName()
                        + " returns a JDBC object that must be wrapped: list it as hand-written");
            }
            methods.add(m);
        }
        methods.sort(Comparator.comparing(ForwardingGenerator::signature));
        // getMethods() may list one signature twice (inherited from two interfaces).
        List<Method> unique = new ArrayList<>();
        for (Method m : methods) {
            if (unique.isEmpty() || !signature(unique.get(unique.size() - 1)).equals(signature(m))) {
                unique.add(m);
            }
        }
        return unique;
    }

    private static boolean declaredIn(Class<?> iface, Method m) {
        try {
            iface.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static String signature(Method m) {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getName)
                .collect(Collectors.joining(",", "(", ")"));
    }

    private static String source(Spec spec) {
        String iface = spec.iface().getName();
        StringBuilder sb = new StringBuilder();
        sb.append("// GENERATED by io.jdbcguard.jdbc.ForwardingGenerator from the ").append(iface)
                .append(" interface. Do not edit:\n")
                .append("// regenerate with mvn -pl driver test -Dtest=ForwardingSourcesTest -Djdbcguard.regenerate=true\n")
                .append("package io.jdbcguard.jdbc;\n\n")
                .append("/** Forwards every {@code ").append(spec.iface().getSimpleName())
                .append("} method the guard does not intercept to the real driver's object, unchanged. */\n")
                .append("@SuppressWarnings({\"deprecation\", \"removal\"})\n")
                .append("abstract class ").append(spec.className());
        if (spec.superClass() != null) {
            sb.append(" extends ").append(spec.superClass());
        }
        sb.append(" implements ").append(iface).append(" {\n\n");
        sb.append("    final ").append(iface).append(' ').append(spec.delegateField()).append(";\n\n");
        if (spec.superClass() != null) {
            sb.append("    ").append(spec.className()).append("(").append(spec.ctorOwnerType())
                    .append(" connection, ").append(iface).append(" delegate").append(spec.extraParams()).append(") {\n")
                    .append("        super(connection, delegate").append(spec.extraArgs()).append(");\n")
                    .append("        this.").append(spec.delegateField()).append(" = delegate;\n    }\n");
        } else {
            sb.append("    ").append(spec.className()).append("(").append(iface).append(" delegate) {\n")
                    .append("        this.").append(spec.delegateField()).append(" = delegate;\n    }\n");
        }
        boolean needsResultSetWrap = false;
        boolean needsBind = false;
        for (Method m : forwardedMethods(spec)) {
            sb.append('\n');
            sb.append("    @Override\n    public ");
            TypeVariable<Method>[] tps = m.getTypeParameters();
            if (tps.length > 0) {
                sb.append(Arrays.stream(tps).map(ForwardingGenerator::typeParameter)
                        .collect(Collectors.joining(", ", "<", "> ")));
            }
            sb.append(typeName(m.getGenericReturnType())).append(' ').append(m.getName()).append('(');
            Type[] params = m.getGenericParameterTypes();
            for (int i = 0; i < params.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(typeName(params[i])).append(" p").append(i);
            }
            sb.append(')');
            Class<?>[] ex = m.getExceptionTypes();
            if (ex.length > 0) {
                sb.append(" throws ").append(Arrays.stream(ex).map(Class::getName).collect(Collectors.joining(", ")));
            }
            sb.append(" {\n");
            String args = java.util.stream.IntStream.range(0, params.length).mapToObj(i -> "p" + i)
                    .collect(Collectors.joining(", "));
            String call = spec.delegateField() + "." + m.getName() + "(" + args + ")";
            if (spec.iface() == PreparedStatement.class && m.getName().startsWith("set") && params.length >= 2
                    && m.getParameterTypes()[0] == int.class) {
                sb.append("        if (recording()) {\n")
                        .append("            bind(p0, ").append(m.getName().equals("setNull") ? "null" : "p1").append(");\n")
                        .append("        }\n");
                needsBind = true;
            }
            if (m.getReturnType() == void.class) {
                sb.append("        ").append(call).append(";\n");
            } else if (m.getReturnType() == ResultSet.class) {
                sb.append("        return wrapResultSet(").append(call).append(");\n");
                needsResultSetWrap = true;
            } else {
                sb.append("        return ").append(call).append(";\n");
            }
            sb.append("    }\n");
        }
        if (spec.superClass() == null) {
            sb.append('\n')
                    .append("    @Override\n")
                    .append("    public <T> T unwrap(java.lang.Class<T> iface) throws java.sql.SQLException {\n")
                    .append("        return iface.isInstance(this) ? iface.cast(this) : ")
                    .append(spec.delegateField()).append(".unwrap(iface);\n")
                    .append("    }\n\n")
                    .append("    @Override\n")
                    .append("    public boolean isWrapperFor(java.lang.Class<?> iface) throws java.sql.SQLException {\n")
                    .append("        return iface.isInstance(this) || ").append(spec.delegateField())
                    .append(".isWrapperFor(iface);\n")
                    .append("    }\n");
        }
        if (needsResultSetWrap && spec.superClass() == null) {
            sb.append("\n    /** Wraps a result set the delegate returned, so it never leaks the real driver's objects. */\n")
                    .append("    abstract java.sql.ResultSet wrapResultSet(java.sql.ResultSet resultSet) throws java.sql.SQLException;\n");
        }
        if (needsBind) {
            sb.append("\n    /** Whether bound values are recorded: asked first, so nothing is boxed when none is. */\n")
                    .append("    abstract boolean recording();\n")
                    .append("\n    /** Records the value bound to a parameter; {@code null} for SQL NULL. */\n")
                    .append("    abstract void bind(int parameterIndex, java.lang.Object value);\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static String typeParameter(TypeVariable<?> tv) {
        Type[] bounds = tv.getBounds();
        if (bounds.length == 1 && bounds[0] == Object.class) {
            return tv.getName();
        }
        return tv.getName() + " extends " + Arrays.stream(bounds).map(ForwardingGenerator::typeName)
                .collect(Collectors.joining(" & "));
    }

    private static String typeName(Type t) {
        return t.getTypeName().replace('$', '.');
    }

    /** Where the generated files live in the source tree. */
    static Path targetDir(Path driverModule) {
        return driverModule.resolve("src/main/java/io/jdbcguard/jdbc");
    }

    /** Writes the files. */
    public static void main(String[] args) throws IOException {
        Path dir = targetDir(Path.of(args.length > 0 ? args[0] : "."));
        for (Map.Entry<String, String> e : generate().entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
        }
    }
}
