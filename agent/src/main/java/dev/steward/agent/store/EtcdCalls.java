package dev.steward.agent.store;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Waits for etcd's answers within a timeout, and turns every failure into a {@link StoreException}
 * naming the endpoints; one that says etcd cannot be reached is a {@link StoreUnavailableException}.
 * It knows whether etcd answered last ({@link #unavailable}): while it did not, calls wait
 * {@link #SHORT} at most, and the first answer after tells those who asked ({@link #onReturn}).
 */
final class EtcdCalls {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** How long a call waits while etcd is known to be away. */
    static final Duration SHORT = Duration.ofSeconds(2);
    /** How long an agent that starts waits for its first answer. */
    static final Duration FIRST = Duration.ofSeconds(30);
    /** The pause before a call that found etcd unable to answer is made again. */
    private static final Duration RETRY = Duration.ofMillis(250);
    private final List<String> endpoints;
    private final List<Runnable> returned = new CopyOnWriteArrayList<>();
    /** Why the last call found etcd away; null while it answers. */
    private volatile String lost;
    private final boolean tls;

    EtcdCalls(List<String> endpoints, boolean tls) {
        this.endpoints = List.copyOf(endpoints);
        this.tls = tls;
    }

    Duration timeout() {
        return lost == null ? TIMEOUT : SHORT;
    }

    /** Why etcd is away, as the last call found; empty while it answers. */
    Optional<String> unavailable() {
        return Optional.ofNullable(lost);
    }

    /** Runs {@code r} (on a thread of its own) each time etcd answers again after it was away. */
    void onReturn(Runnable r) {
        returned.add(r);
    }

    /**
     * Makes a call ({@code attempt} starts it) and waits for its answer; one that an etcd member refused
     * for want of a leader (one being elected) is made again while the timeout leaves room. (A member
     * that cannot be reached at all jetcd leaves for another by itself.)
     */
    <T> T call(String what, Supplier<CompletableFuture<T>> attempt) {
        return call(what, attempt, timeout());
    }

    /** As above, waiting {@code wait} at most (an agent that starts gives etcd, and its own cold start, longer). */
    <T> T call(String what, Supplier<CompletableFuture<T>> attempt, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            CompletableFuture<T> f = attempt.get();
            try {
                T answer = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                answered();
                return answer;
            } catch (InterruptedException e) {
                f.cancel(true);
                throw interrupted(what, e);
            } catch (ExecutionException e) {
                if (!unreachable(e.getCause())) {
                    answered();
                    throw new StoreException("cluster store: " + what + ": " + e.getCause().getMessage(), e.getCause());
                }
                if (!leaderless(e.getCause()) || !pause(deadline, what)) throw away(what + ": " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                f.cancel(true);
                throw away(what + ": no answer within " + wait.toSeconds() + "s", e);
            }
        }
    }

    /** Waits a moment before another try; false when the deadline leaves no room for one. */
    private static boolean pause(long deadline, String what) {
        if (deadline - System.nanoTime() < RETRY.toNanos() * 2) return false;
        try {
            Thread.sleep(RETRY);
            return true;
        } catch (InterruptedException e) {
            throw interrupted(what, e);
        }
    }

    private static StoreException interrupted(String what, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new StoreException("cluster store call interrupted: " + what, e);
    }

    private void answered() {
        if (lost == null) return;
        lost = null;
        System.err.println("steward: the cluster store answers again");
        returned.forEach(r -> Thread.ofVirtual().name("steward-etcd-returned").start(r));
    }

    private StoreUnavailableException away(String detail, Throwable cause) {
        StoreUnavailableException e = unavailable(detail, cause);
        if (lost == null) System.err.println("steward: " + e.getMessage());
        lost = detail;
        return e;
    }

    StoreUnavailableException unavailable(String detail, Throwable cause) {
        return new StoreUnavailableException("cluster store unavailable (etcd at " + String.join(",", endpoints) + "): " + detail, cause);
    }

    /** Whether {@code t} is an etcd member saying it has no leader now, or timed out waiting for one ({@code etcdserver: ...}). */
    static boolean leaderless(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains("etcdserver:") && (c.getMessage().contains("leader")
                    || c.getMessage().contains("timed out"))) return true;
        }
        return false;
    }

    /** Whether {@code t} says etcd could not be reached or did not answer in time (not that it refused what was asked). */
    static boolean unreachable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            Status.Code code = c instanceof StatusRuntimeException s ? s.getStatus().getCode() : null;
            if (c instanceof EtcdException e) code = Status.Code.valueOf(e.getErrorCode().name());
            if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) return true;
            if (c instanceof java.io.IOException) return true;
        }
        return false;
    }
}
