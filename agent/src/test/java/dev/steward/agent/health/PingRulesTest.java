package dev.steward.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.model.Health;
import dev.steward.model.Ping;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PingRulesTest {
    @Test
    void failuresBeforeTheFirstPassKeepAnInstanceWaitingNotUnhealthy() {
        Ping ping = new Ping(new Ping.Check.Tcp(), Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 2);
        PingResult fail = new PingResult(false, Duration.ofMillis(1), "refused");
        PingResult pass = new PingResult(true, Duration.ofMillis(1), "ok");
        Vitals v = Vitals.START;
        for (int n = 0; n < 5; n++) v = PingPolicy.apply(ping, v, fail);
        assertThat(v.health()).isEqualTo(Health.UNKNOWN);
        v = PingPolicy.apply(ping, v, pass);
        assertThat(v.ready()).isFalse();
        v = PingPolicy.apply(ping, v, pass);
        assertThat(v.ready()).isTrue();
        assertThat(v.health()).isEqualTo(Health.HEALTHY);
        v = PingPolicy.apply(ping, v, fail);
        assertThat(v.health()).isEqualTo(Health.HEALTHY);
        v = PingPolicy.apply(ping, v, fail);
        assertThat(v.health()).isEqualTo(Health.UNHEALTHY);
        assertThat(v.lastPing()).isEqualTo("refused (1ms)");
    }

    @Test
    void thePingLoopsWaitStaysBoundedHoweverManyPingsCome() {
        // the loop once doubled its fast wait without bound: a Duration overflow after about 72 pings ended it
        Duration fast = PingLoop.FIRST;
        Duration interval = Duration.ofMillis(50);
        for (int n = 0; n < 10_000; n++) {
            assertThat(PingLoop.next(fast, false, interval)).isLessThanOrEqualTo(PingLoop.STARTING_CAP);
            assertThat(PingLoop.next(fast, true, interval)).isEqualTo(interval);
            fast = PingLoop.grow(fast);
        }
        assertThat(fast).isEqualTo(PingLoop.STARTING_CAP);
        assertThat(PingLoop.next(PingLoop.FIRST, false, Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void aStartingInstanceIsPingedEveryMillisecondForItsFirst100MsThenLessOften() {
        Duration fast = PingLoop.FIRST;
        assertThat(fast).isEqualTo(Duration.ofMillis(1));
        for (int ms = 0; ms < 100; ms++) fast = PingLoop.grow(fast, Duration.ofMillis(ms));
        assertThat(fast).isEqualTo(PingLoop.FIRST);
        assertThat(PingLoop.next(fast, false, Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(1));
        fast = PingLoop.grow(fast, PingLoop.QUICK);
        assertThat(fast).isEqualTo(Duration.ofMillis(2));
        for (int i = 0; i < 100; i++) fast = PingLoop.grow(fast, Duration.ofSeconds(1 + i));
        assertThat(fast).isEqualTo(PingLoop.STARTING_CAP);
        assertThat(PingLoop.next(fast, true, Duration.ofSeconds(1))).as("once ready: the interval").isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aPingLoopKeepsPingingPastAHundredPings() throws Exception {
        var count = new java.util.concurrent.atomic.AtomicInteger();
        var done = new java.util.concurrent.CountDownLatch(1);
        PingLoop loop = PingLoop.start("t", () -> new PingResult(true, Duration.ZERO, "ok"), Duration.ofMillis(1), true, r -> {
            if (count.incrementAndGet() == 300) done.countDown();
        });
        try {
            assertThat(done.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("300 pings came").isTrue();
        } finally {
            loop.cancel();
        }
    }

    @Test
    void aRecommendationIsTheLastWellFormedLine() {
        assertThat(Pinger.recommendation("load high\nrecommend=3\n")).isEqualTo(3);
        assertThat(Pinger.recommendation("recommend: 2\nrecommend=5")).isEqualTo(5);
        assertThat(Pinger.recommendation("recommend=-1\nrecommend=lots\nrecommended=4")).isNull();
        assertThat(Pinger.recommendation(null)).isNull();
    }
}
