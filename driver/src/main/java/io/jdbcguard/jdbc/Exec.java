package io.jdbcguard.jdbc;

import io.jdbcguard.fact.ExecutionFact;
import io.jdbcguard.fact.FactBus;
import io.jdbcguard.fact.Outcome;
import io.jdbcguard.internal.InternalErrors;
import io.jdbcguard.sql.SqlShape;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the wrappers share about an execution's record: its shape, its end, its publication. The record
 * itself is the {@link ExecutionFact}, made (running) only when a listener wants the statement's kind
 * and completed in place once its outcome is known.
 */
final class Exec {

    private Exec() {
    }

    /** The shape of a text, or {@code null} if the guard failed on it (fail-open). */
    static SqlShape shapeOf(String sql, io.jdbcguard.sql.Syntax syntax) {
        if (sql == null) {
            return null;
        }
        try {
            return io.jdbcguard.sql.SqlShapes.of(sql, syntax);
        } catch (Throwable t) {
            InternalErrors.record("classifying a statement", t);
            return null;
        }
    }

    /** The driver returned from a recorded execution (none: nothing to do). */
    static void ended(ExecutionFact running) {
        if (running != null) {
            FactBus.ended(running);
        }
    }

    /** Publishes an execution's outcome, if it was recorded; never throws. */
    static void publish(FactBus bus, ExecutionFact running, Outcome outcome) {
        if (running == null) {
            return;
        }
        try {
            bus.publish(running, outcome);
        } catch (Throwable t) {
            InternalErrors.record("analysis of " + running.kind(), t);
        }
    }

    static long[] toLong(int[] counts) {
        if (counts == null) {
            return null;
        }
        long[] l = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
            l[i] = counts[i];
        }
        return l;
    }

    /** Publishes a batch entry's outcome: its count, or the batch's failure; never throws. */
    static void publishBatchEntry(FactBus bus, ExecutionFact entry, int i, long[] counts, SQLException failure) {
        if (entry == null) {
            return;
        }
        try {
            publish(bus, entry, counts != null && i < counts.length && counts[i] != Statement.EXECUTE_FAILED
                    ? Outcome.updateCount(counts[i]) : Outcome.failed(failure));
        } catch (Throwable t) {
            InternalErrors.record("analysis of a batch", t);
        }
    }
}
