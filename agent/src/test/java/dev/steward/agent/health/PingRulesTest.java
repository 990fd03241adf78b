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
    void aStartingInstancesNextPingWaitsAtLeastFourTimesWhatTheCheckTookNeverPastTheCap() {
        Duration second = Duration.ofSeconds(1);
        assertThat(PingLoop.next(PingLoop.FIRST, false, second, Duration.ofNanos(50_000))).as("a compiled check: every millisecond")
                .isEqualTo(Duration.ofMillis(1));
        assertThat(PingLoop.next(PingLoop.FIRST, false, second, Duration.ofNanos(400_000))).as("a check of 0.4 ms: 1.6 ms after it")
                .isEqualTo(Duration.ofNanos(1_600_000));
        assertThat(PingLoop.next(PingLoop.FIRST, false, second, Duration.ofMillis(200))).as("a check that timed out").isEqualTo(PingLoop.STARTING_CAP);
        assertThat(PingLoop.next(PingLoop.FIRST, false, Duration.ofMillis(2), Duration.ofMillis(1))).as("never past the interval")
                .isEqualTo(Duration.ofMillis(2));
        assertThat(PingLoop.next(PingLoop.FIRST, true, second, Duration.ofMillis(1))).as("once ready: the interval").isEqualTo(second);
    }

    @Test
    void anOwnerSlowToTakeAResultDoesNotStretchTheWaitBeforeTheNextPing() throws Exception {
        // a fresh agent's owner took milliseconds over the first failure it was told, and the loop counted that as
        // the check's cost: four times it, the cap (10 ms), before the second ping of a program that may be up by then
        long best = Long.MAX_VALUE;
        for (int trial = 0; trial < 5; trial++) {
            var told = new java.util.concurrent.atomic.AtomicLong();
            var second = new java.util.concurrent.CompletableFuture<Long>();
            var checks = new java.util.concurrent.atomic.AtomicInteger();
            PingLoop loop = PingLoop.start("t", () -> {
                if (checks.incrementAndGet() == 2) second.complete(System.nanoTime());
                return new PingResult(false, Duration.ZERO, "connection refused");
            }, Duration.ofSeconds(1), false, r -> {
                if (told.get() != 0) return;
                long until = System.nanoTime() + 30_000_000; // 30 ms of the owner's own work over the first result
                while (System.nanoTime() < until) Thread.onSpinWait();
                told.set(System.nanoTime());
            });
            try {
                long at = second.get(30, java.util.concurrent.TimeUnit.SECONDS);
                best = Math.min(best, at - told.get());
            } finally {
                loop.cancel();
            }
        }
        // the wait after a check of microseconds is 1 ms; the owner's 30 ms would make it 10 ms (the cap), and a sleep
        // never ends early: the best of five trials tells the two apart even beside other work
        assertThat(Duration.ofNanos(best)).as("from the owner done with the first result to the second ping, best of 5")
                .isLessThan(PingLoop.STARTING_CAP.minusMillis(2));
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
    void aStartingInstancesRepeatedFailureIsToldOnlyWhenItSaysSomethingNewOrAfterRetell() {
        PingResult refused = new PingResult(false, Duration.ZERO, "connection refused");
        assertThat(PingLoop.tells(refused, false, null, 0)).as("the first result").isTrue();
        assertThat(PingLoop.tells(refused, false, "connection refused", 1_000_000)).as("the same refusal a millisecond later").isFalse();
        assertThat(PingLoop.tells(refused, false, "connection refused", PingLoop.RETELL.toNanos())).as("the same, RETELL later").isTrue();
        assertThat(PingLoop.tells(new PingResult(false, Duration.ZERO, "http /: status 503"), false, "connection refused", 0))
                .as("a failure that says something else").isTrue();
        assertThat(PingLoop.tells(new PingResult(true, Duration.ZERO, "ok"), false, "connection refused", 0)).as("a pass").isTrue();
        assertThat(PingLoop.tells(refused, true, "connection refused", 0)).as("once ready, every failure counts").isTrue();
    }

    @Test
    void aStartingInstancesLoopTellsItsFirstRefusalAndItsPassAndFewOfTheRefusalsBetween() throws Exception {
        var checks = new java.util.concurrent.atomic.AtomicInteger();
        var told = new java.util.concurrent.CopyOnWriteArrayList<PingResult>();
        var passed = new java.util.concurrent.CountDownLatch(1);
        long t0 = System.nanoTime();
        PingLoop loop = PingLoop.start("t", () -> checks.incrementAndGet() < 40 ? new PingResult(false, Duration.ZERO, "connection refused")
                : new PingResult(true, Duration.ZERO, "ok"), Duration.ofSeconds(1), false, r -> {
            told.add(r);
            if (r.passed()) passed.countDown();
        });
        try {
            assertThat(passed.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the pass was told").isTrue();
        } finally {
            loop.cancel();
        }
        long took = System.nanoTime() - t0;
        assertThat(told.getFirst().message()).isEqualTo("connection refused");
        assertThat(told.getLast().passed()).isTrue();
        // 39 refusals a millisecond or more apart: the first told, then one each RETELL (100 ms) at most, then the pass
        assertThat(told.size()).as("results told of %d checks in %d ms", checks.get(), took / 1_000_000)
                .isLessThan(checks.get()).isLessThanOrEqualTo(2 + (int) (took / PingLoop.RETELL.toNanos()));
    }

    @Test
    void aRecommendationIsTheLastWellFormedLine() {
        assertThat(Pinger.recommendation("load high\nrecommend=3\n")).isEqualTo(3);
        assertThat(Pinger.recommendation("recommend: 2\nrecommend=5")).isEqualTo(5);
        assertThat(Pinger.recommendation("recommend=-1\nrecommend=lots\nrecommended=4")).isNull();
        assertThat(Pinger.recommendation(null)).isNull();
    }
}
