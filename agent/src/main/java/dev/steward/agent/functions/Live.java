package dev.steward.agent.functions;

import dev.steward.agent.engine.Engine;
import java.util.List;
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
    final Engine.Launched launched;
    private final AtomicInteger users = new AtomicInteger();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile boolean retired;

    Live(String name, FunctionVersion version, List<String> loads, Engine.Launched launched) {
        this.name = name;
        this.version = version;
        this.loads = List.copyOf(loads);
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
