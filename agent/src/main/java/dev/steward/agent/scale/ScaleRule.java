package dev.steward.agent.scale;

import dev.steward.model.Instances;
import java.util.ArrayDeque;

/**
 * The scaling decision for one dynamic service, fed one sample of average concurrency per tick.
 * Pure apart from its own window of samples (times are given, nothing is read from a clock).
 *
 * <ul>
 *   <li>Stable: enough instances for the average over the stable window at the target concurrency.</li>
 *   <li>Panic: when the panic window's average needs twice the instances there are, scale to it at once
 *       and do not scale down until a stable window has passed without another burst.</li>
 *   <li>No flapping: scale up as soon as the average is over what the instances carry at the target,
 *       but down only to a count that would run at most at {@link #DOWN_UTILISATION} of the target, so a
 *       steady load on a boundary holds its count.</li>
 *   <li>Latency pressure: when the gateway found no instance under its soft latency, one more than
 *       there are, kept for a stable window.</li>
 *   <li>To zero only after a whole stable window with nothing in flight.</li>
 * </ul>
 */
public final class ScaleRule {
    static final double DOWN_UTILISATION = 0.8;
    private final ArrayDeque<double[]> samples = new ArrayDeque<>(); // {nanos, avg}
    private long panicUntil = Long.MIN_VALUE;
    private long pressureUntil = Long.MIN_VALUE;
    private int pressureFloor;
    private int last;

    /** What the gateway saw: no instance under the soft latency while {@code live} were running. */
    public void pressure(long now, int live, Instances spec) {
        if (now < pressureUntil && pressureFloor > live) return; // already asked; it is starting
        pressureFloor = Math.max(pressureFloor, live + 1);
        pressureUntil = now + spec.stableWindow().toNanos();
    }

    /**
     * The instance count wanted after this sample.
     *
     * @param now     the sample's time, in nanoseconds
     * @param avg     the average concurrency since the previous sample
     * @param current requests in flight right now
     * @param live    instances now counting (starting or running)
     */
    public int next(long now, double avg, int current, int live, Instances spec) {
        samples.addLast(new double[] {now, avg});
        long stableNanos = spec.stableWindow().toNanos();
        while (!samples.isEmpty() && samples.peekFirst()[0] < now - stableNanos) samples.removeFirst();
        double stable = average(now - stableNanos);
        double panic = average(now - spec.panicWindow().toNanos());
        int target = spec.targetConcurrency();
        int up = (int) Math.ceil(stable / target - 1e-9);
        int panicWant = (int) Math.ceil(panic / target - 1e-9);
        if (panicWant >= Math.max(1, 2 * live) && panicWant > last) panicUntil = now + stableNanos;
        int want;
        if (now < panicUntil) {
            want = Math.max(last, Math.max(up, panicWant));
        } else if (up > live) {
            want = up;
        } else {
            int down = (int) Math.ceil(stable / (target * DOWN_UTILISATION) - 1e-9);
            want = Math.min(live, down);
        }
        if (now < pressureUntil) want = Math.max(want, pressureFloor);
        else pressureFloor = 0;
        if (current > 0 || stable > 0) want = Math.max(want, 1);
        last = spec.clamp(want);
        return last;
    }

    private double average(long since) {
        double sum = 0;
        int n = 0;
        for (double[] s : samples) {
            if (s[0] >= since) {
                sum += s[1];
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }
}
