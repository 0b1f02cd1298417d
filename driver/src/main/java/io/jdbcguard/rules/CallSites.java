package io.jdbcguard.rules;

import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Finds the application's call site of a statement: the first stack frame outside the JDK, the guard,
 * JDBC drivers, pools and ORMs, or, when {@code guard.app-packages} is set, the first frame inside those
 * packages and outside its {@code !}-excluded ones. Never plumbing, whatever its package: a class that
 * implements an invocation handler, a stream or iterator, an entity manager, a transaction, a connection or
 * a data source is a wrapper around the application's work, not the work; nor a wrapper's {@code commit}
 * when the statement was flushed by the ORM at commit beneath it (then the site is its caller, and the
 * caller's set of such sites says so). Walks only as far as that frame.
 */
final class CallSites {

    private static final String[] INFRASTRUCTURE = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.", "jakarta.",
        "io.jdbcguard.jdbc.", "io.jdbcguard.fact.", "io.jdbcguard.rules.", "io.jdbcguard.sql.",
        "io.jdbcguard.internal.", "io.jdbcguard.GuardDriver", "io.jdbcguard.GuardDataSource", "io.jdbcguard.Retry",
        "com.mysql.", "org.mariadb.", "org.postgresql.", "com.zaxxer.hikari.", "org.apache.commons.dbcp",
        "org.apache.tomcat.jdbc.", "com.mchange.", "org.vibur.", "org.hibernate.", "org.springframework.",
        "org.jooq.", "org.apache.ibatis.", "org.mybatis.", "org.eclipse.persistence.", "org.jdbi.",
        "net.ttddyy.", "com.p6spy.", "io.micrometer.", "io.opentelemetry.", "kotlin.", "scala.", "io.agroal.",
    };

    /** What a plumbing class implements (by name: none of these needs to be on the class path). */
    private static final Set<String> PLUMBING_TYPES = Set.of("java.lang.reflect.InvocationHandler",
            "java.util.stream.BaseStream", "java.util.Iterator", "java.util.Spliterator",
            "jakarta.persistence.EntityManager", "javax.persistence.EntityManager",
            "jakarta.persistence.EntityTransaction", "javax.persistence.EntityTransaction",
            "org.springframework.transaction.TransactionManager", "java.sql.Connection", "javax.sql.DataSource");

    private static final ClassValue<Boolean> PLUMBING = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return implementsAny(type);
        }
    };

    /** Methods of an ORM that write what a session holds when its transaction commits. */
    private static final Set<String> FLUSH_AT_COMMIT = Set.of("beforeTransactionCompletion",
            "flushBeforeTransactionCompletion", "triggerBeforeCommit");

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /** Shown where no frame qualifies. */
    static final StackTraceElement UNKNOWN = new StackTraceElement("unknown", "unknown", null, -1);

    private CallSites() {
    }

    static StackTraceElement capture(List<String> appPackages) {
        return capture(appPackages, null);
    }

    /**
     * @param flushed where a site found above an ORM's flush at commit is added (the caller's, bounded by
     *                it), or {@code null}
     */
    static StackTraceElement capture(List<String> appPackages, Set<StackTraceElement> flushed) {
        StackTraceElement site = WALKER.walk(s -> find(s.iterator(), appPackages, true, flushed));
        if (site == null && hasInclude(appPackages)) {
            site = WALKER.walk(s -> find(s.iterator(), appPackages, false, flushed));
        }
        return site == null ? UNKNOWN : site;
    }

    private static StackTraceElement find(Iterator<StackWalker.StackFrame> frames, List<String> appPackages,
                                          boolean includesOnly, Set<StackTraceElement> flushed) {
        boolean flush = false;
        boolean skippedCommit = false;
        while (frames.hasNext()) {
            StackWalker.StackFrame f = frames.next();
            String name = f.getClassName();
            // A package app-packages names is the application's, whatever it would be otherwise.
            boolean named = includesOnly && !generated(name) && named(name, appPackages);
            if (!named && infrastructure(name)) {
                flush |= FLUSH_AT_COMMIT.contains(f.getMethodName());
                continue;
            }
            if (!app(name, appPackages, includesOnly) || PLUMBING.get(f.getDeclaringClass())) {
                continue;
            }
            if (flush && "commit".equals(f.getMethodName())) {
                skippedCommit = true; // the application's transaction wrapper: its caller did the work
                continue;
            }
            StackTraceElement site = f.toStackTraceElement();
            if (skippedCommit && flushed != null) {
                flushed.add(site);
            }
            return site;
        }
        return null;
    }

    /** A class made at run time: a JDK proxy (in the interface's own package when it is not public), a lambda, CGLIB's. */
    private static boolean generated(String className) {
        return className.contains("$$") || className.startsWith("$Proxy") || className.contains(".$Proxy");
    }

    static boolean infrastructure(String className) {
        if (generated(className)) {
            return true;
        }
        for (String p : INFRASTRUCTURE) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Inside an included package (any, when none is named, or when only exclusions count) and no excluded one. */
    private static boolean app(String className, List<String> appPackages, boolean includesOnly) {
        boolean included = !includesOnly || !hasInclude(appPackages);
        for (String p : appPackages) {
            if (p.charAt(0) == '!') {
                if (className.startsWith(p.substring(1))) {
                    return false;
                }
            } else if (className.startsWith(p)) {
                included = true;
            }
        }
        return included;
    }

    private static boolean named(String className, List<String> appPackages) {
        for (String p : appPackages) {
            if (p.charAt(0) != '!' && className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasInclude(List<String> appPackages) {
        for (String p : appPackages) {
            if (p.charAt(0) != '!') {
                return true;
            }
        }
        return false;
    }

    private static boolean implementsAny(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (PLUMBING_TYPES.contains(i.getName()) || implementsAny(i)) {
                    return true;
                }
            }
        }
        return false;
    }
}
