package dev.steward.agent;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * While fuzzing runs: another client's call, made every 10 ms on a virtual thread, its latencies
 * recorded; and the peak of the heap (the agent runs in the test JVM, so its heap is this heap).
 */
final class FuzzWatch implements AutoCloseable {
    /** Inputs per route or port: {@code -Dsteward.fuzz.inputs=N} (the build passes it through; 1,000 by default). */
    static final int INPUTS = Integer.getInteger("steward.fuzz.inputs", 1000);
    private final List<Long> micros = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong peakHeap = new AtomicLong();
    private final Thread thread;
    private final long t0 = System.nanoTime();

    /** Watches with {@code call} as the other client's call (it throws or answers false when it fails). */
    FuzzWatch(Callable<Boolean> call) {
        thread = Thread.ofVirtual().name("fuzz-watch").start(() -> {
            var heap = ManagementFactory.getMemoryMXBean();
            while (running.get()) {
                long t = System.nanoTime();
                try {
                    if (!call.call()) failures.add("the other client's call failed");
                } catch (Exception e) {
                    failures.add("the other client's call failed: " + e);
                }
                micros.add((System.nanoTime() - t) / 1000);
                peakHeap.accumulateAndGet(heap.getHeapMemoryUsage().getUsed(), Math::max);
                TestAgent.sleep(10);
            }
        });
    }

    /** The latency under which {@code q} (0.99 for p99) of the other client's calls answered, in ms. */
    double quantileMs(double q) {
        List<Long> sorted;
        synchronized (micros) {
            sorted = new ArrayList<>(micros);
        }
        Collections.sort(sorted);
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) / 1000.0;
    }

    int calls() {
        return micros.size();
    }

    List<String> failures() {
        return failures;
    }

    long peakHeap() {
        return peakHeap.get();
    }

    static long maxHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    }

    long elapsedMs() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
