package dev.steward.agent.traffic;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests in flight per instance: the gateway counts them to balance, and a stopping instance
 * waits for its count to reach zero (drain) before it is told to stop. The one owner of the counts.
 */
public final class InFlight {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    private AtomicInteger of(String instance) {
        return counts.computeIfAbsent(instance, k -> new AtomicInteger());
    }

    public void begin(String instance) {
        of(instance).incrementAndGet();
    }

    public void end(String instance) {
        of(instance).decrementAndGet();
    }

    public int count(String instance) {
        AtomicInteger c = counts.get(instance);
        return c == null ? 0 : c.get();
    }

    /** Waits until no request is in flight to {@code instance}, at most {@code max}; true when drained. */
    public boolean awaitIdle(String instance, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        try {
            while (count(instance) > 0) {
                if (System.nanoTime() > deadline) return false;
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        counts.remove(instance);
        return true;
    }

    /** {@link #awaitIdle} on a virtual thread of its own; completes with whether it drained. */
    public CompletableFuture<Boolean> drain(String instance, Duration max) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Thread.ofVirtual().name("drain-" + instance).start(() -> done.complete(awaitIdle(instance, max)));
        return done;
    }
}
