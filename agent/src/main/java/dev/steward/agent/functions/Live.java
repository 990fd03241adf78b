package dev.steward.agent.functions;

import dev.steward.agent.engine.Engine;
import dev.steward.model.FunctionManifest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One running version of a function: its app engine, the functions its workers load, and the count
 * of invocations on it. Once retired (a new version, or the function removed) it takes no new
 * invocation, and stops when the last one it has finishes.
 */
final class Live {
    final String name;
    final FunctionVersion version;
    /** The function and the same-worker callees its workers load. */
    final List<String> loads;
    /** Each loaded function's other-worker callees: what its handler may call through {@link CallDoor}. */
    final Map<String, Set<String>> otherCalls;
    /** The version's own timeout (its manifest's, parsed once). */
    final Duration timeout;
    final Engine.Launched launched;
    private final AtomicInteger users = new AtomicInteger();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile boolean retired;

    Live(String name, FunctionVersion version, Map<String, FunctionVersion> loads, Engine.Launched launched) {
        this.name = name;
        this.version = version;
        this.loads = List.copyOf(loads.keySet());
        Map<String, Set<String>> other = new HashMap<>();
        loads.forEach((n, v) -> other.put(n, v.parsed().calls().entrySet().stream()
                .filter(e -> e.getValue() == FunctionManifest.CallKind.OTHER_WORKER).map(Map.Entry::getKey).collect(Collectors.toUnmodifiableSet())));
        this.otherCalls = Map.copyOf(other);
        this.timeout = version.parsed().timeout();
        this.launched = launched;
    }

    /** Counts an invocation on this version: false when it is retired (the caller takes the current one). */
    boolean acquire() {
        users.incrementAndGet();
        if (retired) {
            release();
            return false;
        }
        return true;
    }

    void release() {
        if (users.decrementAndGet() == 0 && retired) stop();
    }

    void retire() {
        retired = true;
        if (users.get() == 0) stop();
    }

    int users() {
        return users.get();
    }

    private void stop() {
        if (stopped.compareAndSet(false, true)) Thread.ofVirtual().name("steward-fn-retire-" + name).start(launched::stop);
    }
}
