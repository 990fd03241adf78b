package dev.steward.agent.supervisor;

import dev.steward.agent.isolate.ExitStatus;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.model.Health;
import dev.steward.model.InstanceState;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One instance slot of a service: it keeps its id, port and log across restarts. Mutable, and
 * touched only under its controller's lock.
 */
final class Instance {
    final String id;
    final int port;
    final Path log;
    InstanceState state = InstanceState.PENDING;
    InstanceHandle handle;
    /** Bumped at every spawn and stop, so that late exits and pings of an old process are ignored. */
    long generation;
    int restarts;
    Instant started;
    Health health = Health.UNKNOWN;
    boolean ready;
    boolean stopRequested;
    int passes;
    int fails;
    String reason = "";
    /** What the last ping said, with its latency. */
    String lastPing = "";
    ExitStatus lastExit;

    Instance(String id, int port, Path log) {
        this.id = id;
        this.port = port;
        this.log = log;
    }

    long pid() {
        return handle == null || !state.live() ? 0 : handle.pid();
    }

    /** Counts towards the wanted number: not being stopped, not given up. */
    boolean counts() {
        return !stopRequested;
    }
}
