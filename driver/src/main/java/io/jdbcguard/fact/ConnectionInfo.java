package io.jdbcguard.fact;

import io.jdbcguard.config.GuardConfig;

/**
 * A guarded connection as facts name it: an id unique in the JVM, and its data source.
 *
 * @param id         unique per physical connection the guard wrapped
 * @param dataSource the data source (URL without credentials) and its settings
 */
public record ConnectionInfo(long id, DataSourceInfo dataSource) {

    /**
     * A data source as the guard knows it.
     *
     * @param maskedUrl the real driver's URL with credentials masked
     * @param config    its resolved settings
     */
    public record DataSourceInfo(String maskedUrl, GuardConfig config) {
    }

    public GuardConfig config() {
        return dataSource.config();
    }
}
