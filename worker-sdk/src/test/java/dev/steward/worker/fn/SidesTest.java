package dev.steward.worker.fn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.protocol.Frame;
import dev.steward.protocol.Messages;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A java caller's wait for a reply from the process beside: looked for without parking for a moment, then parked. */
class SidesTest {
    private static final Frame CHOKE = new Frame(Messages.CHOKE, 7, List.of());

    @Test
    void aReplyAlreadyThereIsTakenAtOnce() {
        BlockingQueue<Frame> q = new LinkedBlockingQueue<>(List.of(CHOKE));
        assertThat(Sides.awaitBriefly(q, Sides.SPIN.toNanos())).isSameAs(CHOKE);
        assertThat(q).isEmpty();
    }

    @Test
    void aReplyThatComesWhileTheCallerLooksIsTaken() throws Exception {
        BlockingQueue<Frame> q = new LinkedBlockingQueue<>();
        CountDownLatch looking = new CountDownLatch(1);
        Frame[] got = new Frame[1];
        // the caller looks repeatedly until its reply comes; each look is bounded by the spin, so a miss under load is retried
        Thread caller = Thread.ofVirtual().start(() -> {
            looking.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got[0] == null && System.nanoTime() < deadline) got[0] = Sides.awaitBriefly(q, Sides.SPIN.toNanos());
        });
        assertThat(looking.await(30, TimeUnit.SECONDS)).isTrue();
        q.add(CHOKE);
        caller.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(got[0]).isSameAs(CHOKE);
    }

    @Test
    void withNoReplyTheCallerStopsLookingAfterTheSpin() {
        BlockingQueue<Frame> q = new LinkedBlockingQueue<>();
        long t0 = System.nanoTime();
        assertThat(Sides.awaitBriefly(q, Sides.SPIN.toNanos())).isNull();
        assertThat(System.nanoTime() - t0).as("it looked for the spin's length at least").isGreaterThanOrEqualTo(Sides.SPIN.toNanos());
    }

    @Test
    void toldNoSpinTheCallerDoesNotLook() {
        BlockingQueue<Frame> q = new LinkedBlockingQueue<>();
        assertThat(Sides.awaitBriefly(q, 0)).isNull();
        q.add(CHOKE);
        assertThat(Sides.awaitBriefly(q, 0)).as("a reply already there is still taken").isSameAs(CHOKE);
    }

    @Test
    void theSpinIsTheFunctionsEnvsOrTheDefault() {
        assertThat(Sides.spin(null)).isEqualTo(Sides.SPIN);
        assertThat(Sides.spin(" ")).isEqualTo(Sides.SPIN);
        assertThat(Sides.spin("0")).isEqualTo(Duration.ZERO);
        assertThat(Sides.spin(" 250 ")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(Sides.spin("1000000")).isEqualTo(Duration.ofSeconds(1));
        for (String bad : List.of("-1", "1000001", "fast", "1.5")) {
            assertThatThrownBy(() -> Sides.spin(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("STEWARD_SIDE_SPIN_US must be a count of microseconds from 0 to 1000000, not '" + bad + "'");
        }
    }
}
