package dev.steward.agent.engine;

import dev.steward.agent.isolate.InstanceHandle;
import io.netty.channel.Channel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One worker process of an app. Owned by the app's event loop. */
final class Slave {
    /** Where a worker is in its life. */
    enum State {
        /** Spawned, no heartbeat yet (startup-timeout runs). */
        STARTING,
        /** Heartbeating; takes sessions. */
        ACTIVE,
        /** Told to terminate, or left on its own; takes no sessions (termination-timeout runs). */
        TERMINATING,
        /** Its process has ended. */
        GONE
    }

    /** Whether an active worker may take sessions now, or is (being) paused. */
    enum Warm { WARM, PAUSING, PAUSED }

    final String id;
    final long spawnedAt;
    final Path log;
    State state = State.STARTING;
    InstanceHandle handle;
    Channel channel;
    long lastHeard;
    long idleSince;
    long terminatingSince;
    /** Why the agent ended it, if it did: its exit is then not a crash. */
    String endedBecause;
    /** What went wrong with it, when the agent ended it for a fault (no heartbeat). */
    String problem;
    boolean everActive;
    Warm warm = Warm.WARM;
    /** When it was paused (nanos), or -1 while it is not. */
    long pausedSince = -1;
    /** How the next session dispatched to it found it: spawned for it, thawed, or warm. */
    Warmth.Start nextStart = Warmth.Start.COLD;
    java.util.concurrent.ScheduledFuture<?> pauseTimer;
    /** The slow readers of its replies that hold it: its connection is not read while any does. */
    final java.util.Set<Sink> heldBy = new java.util.HashSet<>();
    long heldSince;
    /** Its crash already started the back-off (at its disconnect, before its exit was seen). */
    boolean backedOff;
    final Map<Long, Invocation> sessions = new LinkedHashMap<>();
    private long nextSession = 1;

    Slave(String id, long spawnedAt, Path log) {
        this.id = id;
        this.spawnedAt = spawnedAt;
        this.log = log;
        this.lastHeard = spawnedAt;
        this.idleSince = spawnedAt;
    }

    long nextSession() {
        return nextSession++;
    }

    int load() {
        return sessions.size();
    }

    /** Counted in the pool: starting or active. */
    boolean counts() {
        return state == State.STARTING || state == State.ACTIVE;
    }
}
