package dev.steward.agent.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.model.Instances;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The autoscaler's decision, fed samples at a fixed tick as the agent feeds it. */
class ScaleRuleTest {
    static final long TICK = 200_000_000L;
    final Instances spec = new Instances(0, 10, 10, Duration.ofSeconds(10), Duration.ofSeconds(2));
    final ScaleRule rule = new ScaleRule();
    long now = 0;
    int live = 0;

    /** Feeds {@code seconds} of samples; the instance count follows the rule at once. Returns every count it took. */
    List<Integer> run(double seconds, java.util.function.DoubleSupplier load) {
        List<Integer> counts = new ArrayList<>();
        for (int i = 0; i < seconds * 1e9 / TICK; i++) {
            now += TICK;
            double l = load.getAsDouble();
            live = rule.next(now, l, (int) Math.round(l), live, spec);
            counts.add(live);
        }
        return counts;
    }

    @Test
    void aSteadyLoadGetsTheInstancesItNeedsAndKeepsThem() {
        run(15, () -> 35);
        assertThat(live).isEqualTo(4);
        assertThat(run(30, () -> 35)).containsOnly(4);
    }

    @Test
    void aNoisyLoadOnAnInstanceBoundaryDoesNotFlap() {
        Random r = new Random(7);
        run(20, () -> 30 + r.nextGaussian() * 3);
        List<Integer> steady = run(60, () -> 30 + r.nextGaussian() * 3);
        long changes = 0;
        for (int i = 1; i < steady.size(); i++) if (!steady.get(i).equals(steady.get(i - 1))) changes++;
        assertThat(changes).as("count changes at a steady load: " + steady).isLessThanOrEqualTo(1);
        assertThat(live).isBetween(3, 4);
    }

    @Test
    void aBurstScalesAtOnceThroughThePanicWindowAndHoldsForAStableWindow() {
        run(15, () -> 10);
        assertThat(live).isEqualTo(1);
        List<Integer> burst = run(2, () -> 80);
        // after 2 s the stable window's average is only 24 (3 instances); the 2 s panic window sees all 80
        assertThat(burst.get(4)).as("within a second: " + burst).isGreaterThanOrEqualTo(4);
        assertThat(burst.get(burst.size() - 1)).isEqualTo(8);
        List<Integer> after = run(5, () -> 10);
        assertThat(after).as("no scale down while panicking").allMatch(n -> n >= 8);
    }

    @Test
    void itScalesToZeroOnlyAfterAWholeStableWindowWithNothingInFlight() {
        run(5, () -> 5);
        assertThat(live).isEqualTo(1);
        List<Integer> quiet = run(9, () -> 0);
        assertThat(quiet).containsOnly(1);
        run(2, () -> 0);
        assertThat(live).isZero();
    }

    @Test
    void aRequestInFlightKeepsAnInstanceEvenWhenTheAverageIsTiny() {
        live = rule.next(now += TICK, 0.0, 1, 0, spec);
        assertThat(live).isEqualTo(1);
    }

    @Test
    void latencyPressureAddsOneInstanceAndKeepsItForAStableWindow() {
        run(12, () -> 2);
        assertThat(live).isEqualTo(1);
        rule.pressure(now, live, spec);
        run(0.2, () -> 2);
        assertThat(live).isEqualTo(2);
        rule.pressure(now, live, spec);
        run(0.2, () -> 2);
        assertThat(live).as("one more per look, not one more per request").isEqualTo(3);
        run(9, () -> 2);
        assertThat(live).isEqualTo(3);
        run(12, () -> 2);
        assertThat(live).isEqualTo(1);
    }

    @Test
    void theCountStaysWithinMinAndMax() {
        Instances narrow = new Instances(2, 3, 10, Duration.ofSeconds(10), Duration.ofSeconds(2));
        int n = 0;
        for (int i = 0; i < 100; i++) n = rule.next(now += TICK, 500, 500, n, narrow);
        assertThat(n).isEqualTo(3);
        ScaleRule quiet = new ScaleRule();
        for (int i = 0; i < 100; i++) n = quiet.next(now += TICK, 0, 0, n, narrow);
        assertThat(n).isEqualTo(2);
    }
}
