package dev.steward.agent.dynamic;

import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Network namespaces made ahead of the opens: each made whole (veth, address, rules) for the UUID the instance that
 * takes it will have, under a spare name ({@link Netns#sparePrefix}), so an open's {@code create namespace} is a
 * rename ({@link Netns#take}) instead of five {@code ip}/{@code nft} processes. Filled a moment after each open (once
 * its first response had time to go out) on a virtual thread of its own, one at a time, up to {@code size}; emptied
 * at the agent's close. A spare that cannot be made
 * stops the filling until the next open (which then makes its namespace itself, as with none).
 */
final class Spares {
    /** A namespace ready for the instance that will take {@code uuid}. */
    record Spare(String uuid, Netns.Net net) {}

    private final Netns netns;
    private final int size;
    private final ConcurrentLinkedDeque<Spare> ready = new ConcurrentLinkedDeque<>();
    /** Held while a spare is made or the spares are removed, so the agent's close never races a filling. */
    private final ReentrantLock making = new ReentrantLock();
    private final java.util.concurrent.atomic.AtomicBoolean filling = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;

    Spares(Netns netns, int size) {
        if (size < 0) throw new IllegalArgumentException("steward.dynamic.spares: " + size + " (expected: 0 or more)");
        this.netns = netns;
        this.size = size;
    }

    /** A ready namespace, taken out of the pool; empty when none is ready. */
    Optional<Spare> take() {
        return Optional.ofNullable(ready.pollFirst());
    }

    int ready() {
        return ready.size();
    }

    /**
     * {@link #fill} after {@code delay}: an open's client asks its first request as soon as the open answers, and the
     * spares' {@code ip}/{@code nft} processes would take the CPU from it (its first response came 7 ms later with them).
     */
    void fillAfter(java.time.Duration delay) {
        if (size == 0 || closed) return;
        java.util.concurrent.CompletableFuture.delayedExecutor(delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).execute(this::fill);
    }

    /** Makes spares until {@code size} are ready, on a thread of its own; nothing when a filling is under way or the pool is closed. */
    void fill() {
        if (size == 0 || closed || ready.size() >= size || !filling.compareAndSet(false, true)) return;
        Thread.ofVirtual().name("steward-dynamic-spares").start(() -> {
            try {
                while (makeOne()) {
                    // until full, closed, or one could not be made
                }
            } finally {
                filling.set(false);
            }
        });
    }

    private boolean makeOne() {
        making.lock();
        try {
            if (closed || ready.size() >= size) return false;
            String uuid = UUID.randomUUID().toString();
            ready.addLast(new Spare(uuid, netns.createSpare(uuid)));
            return true;
        } catch (IOException | RuntimeException e) {
            System.err.println("steward: no spare network namespace made (opens make their own): " + e.getMessage());
            return false;
        } finally {
            making.unlock();
        }
    }

    /** At the agent's close: no more spares made (a making under way ends first), the ready ones removed. */
    void close() {
        closed = true;
        making.lock();
        try {
            for (Spare s = ready.pollFirst(); s != null; s = ready.pollFirst()) {
                try {
                    netns.remove(s.net().name(), s.net().veth());
                } catch (IOException e) {
                    System.err.println("steward: cannot remove the spare namespace " + s.net().name() + ": " + e.getMessage());
                }
            }
        } finally {
            making.unlock();
        }
    }
}
