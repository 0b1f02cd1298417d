package io.jdbcguard.internal;

import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/** SLF4J 2's fluent API; loaded only where {@link GuardLog#FLUENT} found it, so SLF4J 1.7 never links it. */
final class Slf4jFluent {

    private Slf4jFluent() {
    }

    static void log(Logger logger, GuardLog.Level level, String message, Object... keyValues) {
        LoggingEventBuilder b;
        switch (level) {
            case ERROR:
                b = logger.atError();
                break;
            case WARN:
                b = logger.atWarn();
                break;
            default:
                b = logger.atInfo();
        }
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                b = b.addKeyValue(String.valueOf(keyValues[i]), keyValues[i + 1]);
            }
        }
        b.log(message);
    }
}
