package io.jdbcguard.rules;

import java.util.List;
import java.util.Optional;

/**
 * Finds the application's call site of a statement: the first stack frame outside the JDK, the guard,
 * JDBC drivers, pools and ORMs, or, when {@code guard.app-packages} is set, the first frame inside those
 * packages. Walks only as far as that frame.
 */
final class CallSites {

    private static final String[] INFRASTRUCTURE = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.", "jakarta.",
        "io.jdbcguard.jdbc.", "io.jdbcguard.fact.", "io.jdbcguard.rules.", "io.jdbcguard.sql.",
        "io.jdbcguard.internal.", "io.jdbcguard.GuardDriver", "io.jdbcguard.GuardDataSource", "io.jdbcguard.Retry",
        "com.mysql.", "org.mariadb.", "org.postgresql.", "com.zaxxer.hikari.", "org.apache.commons.dbcp",
        "org.apache.tomcat.jdbc.", "com.mchange.", "org.vibur.", "org.hibernate.", "org.springframework.",
        "org.jooq.", "org.apache.ibatis.", "org.mybatis.", "org.eclipse.persistence.", "org.jdbi.",
        "net.ttddyy.", "com.p6spy.", "io.micrometer.", "io.opentelemetry.", "kotlin.", "scala.",
    };

    private static final StackWalker WALKER = StackWalker.getInstance();

    /** Shown where no frame qualifies. */
    static final StackTraceElement UNKNOWN = new StackTraceElement("unknown", "unknown", null, -1);

    private CallSites() {
    }

    static StackTraceElement capture(List<String> appPackages) {
        Optional<StackWalker.StackFrame> frame = WALKER.walk(s -> s
                .filter(f -> appPackages.isEmpty() ? !infrastructure(f.getClassName()) : inApp(f.getClassName(), appPackages))
                .findFirst());
        if (frame.isEmpty() && !appPackages.isEmpty()) {
            frame = WALKER.walk(s -> s.filter(f -> !infrastructure(f.getClassName())).findFirst());
        }
        return frame.map(StackWalker.StackFrame::toStackTraceElement).orElse(UNKNOWN);
    }

    static boolean infrastructure(String className) {
        if (className.contains("$$") || className.startsWith("$Proxy") || className.contains(".$Proxy")) {
            return true;
        }
        for (String p : INFRASTRUCTURE) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inApp(String className, List<String> appPackages) {
        for (String p : appPackages) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
