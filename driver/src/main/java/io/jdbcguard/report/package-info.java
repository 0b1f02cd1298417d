/**
 * Findings by place, for people: the JSON and self-contained HTML report written by the JUnit 5
 * extension and at JVM shutdown. Pure: reads findings, writes files, knows nothing of rules or JDBC.
 */
package io.jdbcguard.report;
