/** Internal helpers: URL parsing and credential masking, containment of the guard's own errors, counters. */
package io.jdbcguard.internal;
