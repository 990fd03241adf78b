package dev.steward.agent.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for etcd's answers within a timeout, and turns every failure into a {@link StoreException} naming the endpoints. */
final class EtcdCalls {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final List<String> endpoints;
    private final boolean tls;

    EtcdCalls(List<String> endpoints, boolean tls) {
        this.endpoints = List.copyOf(endpoints);
        this.tls = tls;
    }

    Duration timeout() {
        return TIMEOUT;
    }

    <T> T call(String what, CompletableFuture<T> f) {
        try {
            return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw unavailable(what + ": interrupted", e);
        } catch (ExecutionException e) {
            throw unavailable(what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            f.cancel(true);
            throw unavailable(what + ": no answer within " + TIMEOUT.toSeconds() + "s", e);
        }
    }

    StoreException unavailable(String detail, Throwable cause) {
        return new StoreException("cluster store unavailable (etcd at " + String.join(",", endpoints) + "): " + detail, cause);
    }
}
