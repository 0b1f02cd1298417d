package io.jdbcguard.internal;

import org.slf4j.Logger;

/**
 * Writes the guard's log lines through the API every SLF4J from 1.7 to 2.x has. Where SLF4J 2 is on
 * the class path (decided once, when this class loads) the facts travel as key-values of the fluent API,
 * for JSON pipelines; on SLF4J 1.7 they are appended to the message as {@code key=value} pairs (a value
 * with spaces or quotes in double quotes), so the same facts still reach the log.
 */
public final class GuardLog {

    /** The levels the guard writes at. */
    public enum Level {
        ERROR, WARN, INFO
    }

    /** Whether {@code org.slf4j.Logger} has SLF4J 2's fluent API ({@code atInfo()}). */
    public static final boolean FLUENT = fluentApi();

    private GuardLog() {
    }

    private static boolean fluentApi() {
        try {
            Logger.class.getMethod("atInfo");
            Class.forName("org.slf4j.spi.LoggingEventBuilder", false, GuardLog.class.getClassLoader());
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Logs a message with key-values ({@code key1, value1, key2, value2, …}; pairs whose value is
     * {@code null} are left out). Never throws.
     */
    public static void log(Logger logger, Level level, String message, Object... keyValues) {
        try {
            if (FLUENT) {
                Slf4jFluent.log(logger, level, message, keyValues);
            } else {
                String line = withPairs(message, keyValues);
                switch (level) {
                    case ERROR:
                        logger.error(line);
                        break;
                    case WARN:
                        logger.warn(line);
                        break;
                    default:
                        logger.info(line);
                }
            }
        } catch (Throwable t) {
            InternalErrors.record("writing a log line", t);
        }
    }

    /** The message with {@code key=value} pairs appended: what SLF4J 1.7 back ends receive. */
    static String withPairs(String message, Object... keyValues) {
        StringBuilder sb = new StringBuilder(message);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            Object v = keyValues[i + 1];
            if (v == null) {
                continue;
            }
            String text = String.valueOf(v);
            sb.append(' ').append(keyValues[i]).append('=');
            if (text.isEmpty() || text.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"')) {
                sb.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                sb.append(text);
            }
        }
        return sb.toString();
    }
}
