package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.GuardStats;
import java.util.HashMap;
import java.util.Map;

/** Measures which findings a piece of code produced: per-rule counts before and after. */
final class RuleProbe {

    interface Work {
        void run() throws Exception;
    }

    private RuleProbe() {
    }

    /** Runs the work on a clean slate for this thread; returns the findings per rule id it produced. */
    static Map<String, Long> findings(Work work) throws Exception {
        io.jdbcguard.Guard.global().forgetCurrentThread();
        Map<String, Long> before = GuardStats.findingsByRule();
        work.run();
        assertThat(GuardStats.awaitFindings(10_000)).as("findings settled").isTrue();
        Map<String, Long> after = GuardStats.findingsByRule();
        Map<String, Long> delta = new HashMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                delta.put(k, d);
            }
        });
        io.jdbcguard.Guard.global().forgetCurrentThread();
        return delta;
    }

    static void expect(String rule, long count, Work work) throws Exception {
        Map<String, Long> found = findings(work);
        if (count == 0) {
            assertThat(found).as("findings").isEmpty();
        } else {
            assertThat(found).as("findings").isEqualTo(Map.of(rule, count));
        }
    }

    static void none(Work work) throws Exception {
        expect(null, 0, work);
    }
}
