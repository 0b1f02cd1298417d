package io.jdbcguard.bench;

import com.p6spy.engine.logging.Category;
import com.p6spy.engine.spy.appender.P6Logger;

/** P6Spy appender that discards what P6Spy formatted: P6Spy's cost without any I/O. */
public final class NoopP6Logger implements P6Logger {

    @Override
    public void logSQL(int connectionId, String now, long elapsed, Category category, String prepared, String sql,
                       String url) {
    }

    @Override
    public void logException(Exception e) {
    }

    @Override
    public void logText(String text) {
    }

    @Override
    public boolean isCategoryEnabled(Category category) {
        return true;
    }
}
