package dev.steward.agent.functions;

import dev.steward.agent.engine.Invocable;
import dev.steward.agent.engine.Sink;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How a function is reached as an app: {@code name} fixed (the RPC port's app of the function's
 * name, any event invoking it), or, for the gateway's {@code /fn/<name>}, each event naming the function.
 */
public final class FunctionDoor implements Invocable {
    /** The first segment of the gateway's paths to functions. */
    public static final String GATEWAY_PREFIX = "fn";
    private final Functions functions;
    private final String name;

    FunctionDoor(Functions functions, String name) {
        this.functions = functions;
        this.name = name;
    }

    /** The gateway's door: {@code /fn/<name>} invokes {@code name}. */
    public static FunctionDoor byEvent(Functions functions) {
        return new FunctionDoor(functions, null);
    }

    @Override
    public String name() {
        return name == null ? GATEWAY_PREFIX : name;
    }

    @Override
    public String label() {
        return name == null ? "" : "function " + name;
    }

    @Override
    public void enqueue(String event, byte[] data, String tag, Duration timeout, Sink sink) {
        functions.invoke(name == null ? event : name, data, timeout, sink);
    }

    @Override
    public CompletableFuture<Map<String, Object>> info() {
        if (name == null) return CompletableFuture.completedFuture(Map.of("functions", functions.store().functions().size()));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return functions.info(name);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }
}
