package dev.steward.agent.engine;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** What takes events under a name: a running app, or a function (whose versions run as apps). */
public interface Invocable {
    String name();

    /**
     * Queues {@code event} with {@code data} ({@code tag}: for the worker with that id, where it means
     * anything), its reply to {@code sink}; {@code timeout} (zero: none) bounds its whole life. Any thread.
     */
    void enqueue(String event, byte[] data, String tag, Duration timeout, Sink sink);

    /** How an error of its is introduced to an HTTP client ({@code app NAME}); empty when its errors name what failed. */
    default String label() {
        return "app " + name();
    }

    /** What {@code info} answers over the protocol. */
    CompletableFuture<Map<String, Object>> info();
}
