package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.it.RaceAtScale.Counts;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The race at scale, on the real server: 8 threads x 1,000 get-or-create calls over 100 keys, started
 * together behind a barrier, REPEATABLE READ, unique index on the key. Straight on Connector/J both
 * the naive code and the seed's catch-and-reselect fail; through the guard, neither the fresh read nor
 * the retry helper lets one error or miss through.
 */
class RaceAtScaleTest {

    @Test
    void threeWays() throws Exception {
        List<Counts> c = RaceAtScale.fourWays();
        RaceAtScale.print(c);
        assertThat(c.get(0).errors()).as("(a) shows the bug").isPositive();
        assertThat(c.get(1).misses()).as("(b) shows the bug").isPositive();
        assertThat(c.get(2)).isEqualTo(new Counts(0, 0, RaceAtScale.KEYS));
        assertThat(c.get(3)).isEqualTo(new Counts(0, 0, RaceAtScale.KEYS));
    }
}
