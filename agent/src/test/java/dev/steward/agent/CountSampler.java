package dev.steward.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Samples a count (the instances of a service that run) every {@code period} on a thread of its own,
 * so that a test can say how long it stayed above a bound, and since when.
 */
public final class CountSampler implements AutoCloseable {
    /** One sample: when (System.nanoTime) and the count then. */
    public record Sample(long at, int count) {}

    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    public CountSampler(Callable<Integer> count, long periodMillis) {
        thread = Thread.ofPlatform().daemon().name("count-sampler").start(() -> {
            while (!stop) {
                try {
                    samples.add(new Sample(System.nanoTime(), count.call()));
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    System.err.println("count sampler: " + e);
                }
            }
        });
    }

    /** The samples taken at or after {@code since}. */
    public List<Sample> since(long since) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) if (s.at() >= since) out.add(s);
        return out;
    }

    /** The longest stretch, in ms, during which samples from {@code since} on were above {@code bound} (an open stretch counts to the last sample). */
    public long longestAbove(int bound, long since) {
        long longest = 0;
        long from = -1;
        long last = since;
        for (Sample s : since(since)) {
            if (s.count() > bound && from < 0) from = s.at();
            if (s.count() <= bound && from >= 0) {
                longest = Math.max(longest, s.at() - from);
                from = -1;
            }
            last = s.at();
        }
        if (from >= 0) longest = Math.max(longest, last - from);
        return longest / 1_000_000;
    }

    /** The highest count sampled from {@code since} on. */
    public int max(long since) {
        return since(since).stream().mapToInt(Sample::count).max().orElse(0);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join();
    }
}
