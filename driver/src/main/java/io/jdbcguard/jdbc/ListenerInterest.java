package io.jdbcguard.jdbc;

import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.fact.FactBus;
import io.jdbcguard.sql.StatementKind;

/**
 * What the listeners active on one connection read, as kind masks: executions, failed executions, and
 * statements they may want to see before they run. Asked of the bus once per listener set (the bus's
 * {@link FactBus#version()}), then answered from the masks on every statement.
 */
final class ListenerInterest {

    private static final class Masks {
        final Object version;
        final int kinds;
        final int failures;
        final int before;
        /** The active listeners by index ({@link FactBus#masks}): only these are asked before a statement runs. */
        final int active;
        /** The kinds an active listener reads under autocommit too. */
        final int outside;

        Masks(Object version, int[] masks) {
            this.version = version;
            this.kinds = masks[0];
            this.failures = masks[1];
            this.before = masks[2];
            this.active = masks[3];
            this.outside = masks[4];
        }
    }

    private final FactBus bus;
    private final GuardConfig config;
    /** Replaced whole when the listener set changes, never changed in place. */
    private Masks masks = new Masks(null, new int[5]);

    ListenerInterest(FactBus bus, GuardConfig config) {
        this.bus = bus;
        this.config = config;
    }

    private Masks masks() {
        Masks m = masks;
        Object v = bus.version();
        if (m.version != v) {
            m = new Masks(v, bus.masks(config));
            masks = m;
        }
        return m;
    }

    /** Whether an active listener reads executions of this kind. */
    boolean executions(StatementKind kind) {
        return (masks().kinds & (1 << kind.ordinal())) != 0;
    }

    /** Whether an active listener reads executions of this kind, inside a transaction or under autocommit. */
    boolean executions(StatementKind kind, boolean inTransaction) {
        Masks m = masks();
        return ((inTransaction ? m.kinds : m.outside) & (1 << kind.ordinal())) != 0;
    }

    /** Whether an active listener reads failed executions of this kind. */
    boolean failures(StatementKind kind) {
        return (masks().failures & (1 << kind.ordinal())) != 0;
    }

    /** The listeners active on this connection, by index, for {@link FactBus#wantsBefore(io.jdbcguard.sql.SqlShape, int)}. */
    int activeListeners() {
        return masks().active;
    }

    /** Whether an active listener may want to see a statement of this kind before it runs. */
    boolean before(StatementKind kind) {
        return (masks().before & (1 << kind.ordinal())) != 0;
    }

    /**
     * Whether a statement of this kind keeps its bound values: an active listener reads its executions, or
     * may want to see it before it runs (whether it does can change with what the thread does between the
     * bind and the execution, such as a duplicate key making a read stale, and a repair re-runs the read
     * with these very values).
     */
    boolean values(StatementKind kind) {
        Masks m = masks();
        return ((m.kinds | m.before) & (1 << kind.ordinal())) != 0;
    }

    /**
     * The same for a connection inside a transaction or under autocommit: under autocommit the kinds only
     * transaction-reading listeners read keep no values (were autocommit switched off between the bind and the
     * execution, that one execution would be recorded without its values: fewer findings, never another outcome).
     */
    boolean values(StatementKind kind, boolean inTransaction) {
        Masks m = masks();
        return (((inTransaction ? m.kinds : m.outside) | m.before) & (1 << kind.ordinal())) != 0;
    }
}
