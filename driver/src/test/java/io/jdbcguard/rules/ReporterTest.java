package io.jdbcguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.config.RuleId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The per-place counting of findings, as pure logic. */
class ReporterTest {

    /**
     * A place whose finding waits for the indexes, and whose indexes were read by the time it was counted: the
     * settling ran at once, on the counting thread, found no finding and withdrew the place; the occurrence
     * counted after that must not stay in the rule's count (it did: a finding counted that nobody ever saw).
     */
    @Test
    void anOccurrenceOfAPlaceWithdrawnWhileItWasCountedIsNotCounted() throws InterruptedException {
        Reporter r = new Reporter();
        r.removeListener(Reporter.LOG);
        r.occurredWhen(RuleId.LOCK_WITHOUT_INDEX, List.of("t", "site"), CompletableFuture.completedFuture(null),
                () -> null, null);
        assertThat(r.awaitPending(1_000)).isTrue();
        assertThat(r.countsByRule()).containsEntry("lock-without-index", 0L);
        assertThat(r.placeOf(RuleId.LOCK_WITHOUT_INDEX, List.of("t", "site"))).isNull();
    }
}
