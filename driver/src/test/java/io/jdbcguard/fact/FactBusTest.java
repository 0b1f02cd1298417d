package io.jdbcguard.fact;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.config.GuardConfig;
import io.jdbcguard.sql.SqlShape;
import io.jdbcguard.sql.SqlShapes;
import io.jdbcguard.sql.StatementKind;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, found measuring the new rule: a listener inactive for a connection's settings (the strict-mode
 * instances of the completing rules, on a connection in warn mode) was still asked whether it wanted a statement
 * before it ran, as soon as any active listener subscribed that kind; it said yes, and every INSERT then built a
 * planned fact for nothing (+32 bytes per INSERT on MySQL, where no rule wanted it).
 */
class FactBusTest {

    /** Wants every INSERT before it runs, and is active only where told. */
    static class Asker implements FactListener {
        final boolean active;
        final AtomicInteger asked = new AtomicInteger();

        Asker(boolean active) {
            this.active = active;
        }

        @Override
        public boolean activeFor(GuardConfig config) {
            return active;
        }

        @Override
        public Set<StatementKind> beforeKinds() {
            return Set.of(StatementKind.INSERT);
        }

        @Override
        public boolean wantsBefore(SqlShape shape) {
            asked.incrementAndGet();
            return active;
        }
    }

    @Test
    void onlyListenersActiveForTheConnectionAreAskedBeforeAStatementRuns() {
        FactBus bus = new FactBus();
        Asker inactive = new Asker(false);
        Asker active = new Asker(true);
        bus.register(inactive);
        bus.register(active);
        int[] masks = bus.masks(GuardConfig.defaults());
        SqlShape insert = SqlShapes.of("INSERT INTO t (a) VALUES (?)");
        assertThat(bus.wantsBefore(insert, masks[3])).isTrue();
        assertThat(inactive.asked.get()).as("the inactive listener is not asked").isZero();
        assertThat(active.asked.get()).isEqualTo(1);

        Asker alone = new Asker(false);
        FactBus other = new FactBus();
        other.register(alone);
        other.register(new Asker(true) {
            @Override
            public boolean wantsBefore(SqlShape shape) {
                return false; // active, subscribed, and wanting nothing this time
            }
        });
        assertThat(other.wantsBefore(insert, other.masks(GuardConfig.defaults())[3])).isFalse();
        assertThat(alone.asked.get()).isZero();
    }
}
