package dev.steward.agent.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The average concurrency between two looks is the area under the in-flight count, however short the requests. */
class DemandTest {
    final AtomicLong now = new AtomicLong(1_000);
    final Demand demand = new Demand(now::get);

    @Test
    void shortRequestsBetweenLooksAreStillCounted() {
        Demand.Meter m = demand.of("web");
        // two requests of 100 ns each within a look of 1,000 ns, never in flight when looked at
        m.begin();
        now.addAndGet(100);
        m.end();
        now.addAndGet(400);
        m.begin();
        now.addAndGet(100);
        m.end();
        now.addAndGet(400);
        assertThat(m.current()).isZero();
        assertThat(m.sample()).isCloseTo(0.2, within(1e-9));
        now.addAndGet(1_000);
        assertThat(m.sample()).as("nothing since the last look").isZero();
    }

    @Test
    void overlappingRequestsAddUp() {
        Demand.Meter m = demand.of("web");
        m.begin();
        m.begin();
        now.addAndGet(500);
        m.end();
        now.addAndGet(500);
        assertThat(m.current()).isEqualTo(1);
        assertThat(m.sample()).isCloseTo(1.5, within(1e-9));
        assertThat(demand.of("web")).isSameAs(m);
    }
}
