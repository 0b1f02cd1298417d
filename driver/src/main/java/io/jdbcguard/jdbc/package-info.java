/**
 * The JDBC wrappers. {@code Forwarding*} classes are generated at build time from {@code java.sql} (do not
 * edit them; see {@code ForwardingGenerator} in the tests); {@code Guard*} classes write by hand only the
 * methods the guard intercepts. This package turns calls into facts and tracks transaction state; it
 * holds no analysis.
 */
package io.jdbcguard.jdbc;
