package dev.steward.agent.engine;

import dev.steward.agent.isolate.ExitStatus;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.model.Durations;
import dev.steward.model.Profile;
import dev.steward.protocol.Messages;
import dev.steward.protocol.ProtocolException;
import dev.steward.protocol.WorkerMessage;
import dev.steward.protocol.WorkerMessage.FromWorker;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One running app: its queue, its pool of workers and their timers. Every field is owned by the
 * app's event loop (its worker connections and its clients' connections run there too); other
 * threads hand their calls to the loop.
 */
public final class AppEngine implements Invocable {
    /** Where a running app is. */
    public enum State {
        RUNNING, BROKEN, STOPPING, STOPPED;

        public String wire() {
            return name().toLowerCase();
        }
    }

    /** A worker that ended when it was not asked to, with the last lines it wrote. */
    public record Crash(String worker, String status, String at, List<String> lines) {}

    private final String name;
    private final String profileName;
    private final Profile profile;
    private final EventLoop loop;
    private final Workers workers;
    private final LongSupplier nanos;
    private final Clock clock;
    private final Warmth warmth;
    private final EventQueue queue = new EventQueue();
    private final Map<String, Slave> slaves = new LinkedHashMap<>();
    private final List<Sink> touched = new ArrayList<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private State state = State.RUNNING;
    private String reason = "";
    private Backoff backoff = Backoff.NONE;
    private ScheduledFuture<?> pumpLater;
    private ScheduledFuture<?> ticker;
    private long served;
    private long crashes;
    private Crash lastCrash;

    AppEngine(String name, String profileName, Profile profile, EventLoop loop, Workers workers, LongSupplier nanos, Clock clock, Warmth warmth) {
        this.warmth = warmth;
        this.name = name;
        this.profileName = profileName;
        this.profile = profile;
        this.loop = loop;
        this.workers = workers;
        this.nanos = nanos;
        this.clock = clock;
    }

    /** Starts the timeouts' clock. */
    void start() {
        long tick = tickNanos(profile);
        ticker = loop.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.NANOSECONDS);
    }

    /** A quarter of the shortest timeout, within 10 ms and 1 s: how often the timeouts are checked. */
    static long tickNanos(Profile p) {
        long shortest = Long.MAX_VALUE;
        for (Duration d : List.of(p.heartbeatTimeout(), p.idleTimeout(), p.startupTimeout(), p.terminationTimeout())) {
            if (!d.isZero()) shortest = Math.min(shortest, d.toNanos());
        }
        return Math.max(10_000_000L, Math.min(1_000_000_000L, shortest / 4));
    }

    @Override
    public String name() {
        return name;
    }

    EventLoop loop() {
        return loop;
    }

    public String profileName() {
        return profileName;
    }

    // ---- events in ----------------------------------------------------------------------------

    /**
     * Queues {@code event} with {@code data} for a worker ({@code tag}: the worker with that id), its
     * reply to {@code sink}; {@code timeout} (zero: none) bounds its whole life. Any thread.
     */
    @Override
    public void enqueue(String event, byte[] data, String tag, Duration timeout, Sink sink) {
        Invocation inv = new Invocation(event, data, tag, timeout.toNanos(), sink);
        InvokeTrace.mark("enqueued");
        if (loop.inEventLoop()) accept(inv);
        else dev.steward.agent.net.Loops.post(loop, () -> accept(inv));
    }

    private void accept(Invocation inv) {
        InvokeTrace.mark("on the app's loop");
        if (state != State.RUNNING) {
            inv.fail(Messages.RESOURCE_ERROR, state == State.BROKEN ? "the app is broken: " + reason : "the engine is shutting down");
            return;
        }
        if (!inv.tagged() && queue.untagged() == 0) {
            Slave s = leastLoaded();
            if (s != null) {
                dispatch(inv, s);
                armTimer(inv);
                return;
            }
        }
        if (profile.queueLimit() > 0 && queue.depth() >= profile.queueLimit() && queue.dropAbandoned() == 0) {
            if (warmth == Warmth.NONE) inv.fail(Messages.RESOURCE_ERROR, "the queue is full");
            else inv.fail(Messages.OVERLOADED_ERROR, "overloaded: " + queue.depth() + " invocations wait for a worker already (queue-limit " + profile.queueLimit() + ")");
            return;
        }
        queue.add(inv);
        armTimer(inv);
        InvokeTrace.mark("queued");
        pump();
    }

    private void armTimer(Invocation inv) {
        if (inv.timeoutNanos > 0 && !inv.done) {
            inv.timer = loop.schedule(() -> expire(inv), inv.timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void expire(Invocation inv) {
        if (inv.done) return;
        if (inv.slave == null) {
            queue.remove(inv);
            inv.fail(Messages.DEADLINE_ERROR, "the session has expired in the queue");
        } else {
            Slave s = inv.slave;
            s.sessions.remove(inv.session);
            inv.fail(Messages.TIMEOUT_ERROR, "the session timed out after " + Durations.format(Duration.ofNanos(inv.timeoutNanos)));
            if (s.channel != null) {
                s.channel.writeAndFlush(new WorkerMessage.Error(inv.session, Messages.TIMEOUT_ERROR, "the session timed out").frame());
            }
            sessionEnded(s);
        }
    }

    // ---- balancing ----------------------------------------------------------------------------

    private Slave leastLoaded() {
        Slave best = null;
        for (Slave s : slaves.values()) {
            if (takes(s) && (best == null || s.load() < best.load())) best = s;
        }
        return best;
    }

    private boolean takes(Slave s) {
        return s.state == Slave.State.ACTIVE && s.warm == Slave.Warm.WARM && s.load() < profile.concurrency();
    }

    /** A paused worker, or null. */
    private Slave firstPaused() {
        for (Slave s : slaves.values()) {
            if (s.state == Slave.State.ACTIVE && s.warm == Slave.Warm.PAUSED) return s;
        }
        return null;
    }

    /**
     * Gives {@code inv} to the paused worker {@code s}: the call's frames go into its socket first (a frozen
     * process's socket keeps them, and its reader, woken while frozen, runs once thawed), then it is thawed.
     * Thawed first, its threads woken by the thaw could take this thread's CPU before the call was written.
     * False when it cannot be thawed: it is killed and {@code inv} is not given to it.
     */
    private boolean thawFor(Invocation inv, Slave s) {
        send(inv, s);
        if (thaw(s)) {
            warmth.starts().accept(Warmth.Start.PAUSED);
            s.nextStart = Warmth.Start.WARM;
            return true;
        }
        s.sessions.remove(inv.session);
        inv.slave = null;
        return false;
    }

    private boolean thaw(Slave s) {
        try {
            InvokeTrace.mark("thaw");
            s.handle.resume();
            InvokeTrace.mark("thawed");
        } catch (java.io.IOException | RuntimeException e) {
            s.state = Slave.State.TERMINATING;
            s.terminatingSince = nanos.getAsLong();
            kill(s, "it could not be thawed: " + e.getMessage());
            return false;
        }
        s.warm = Slave.Warm.WARM;
        s.pausedSince = -1;
        s.lastHeard = nanos.getAsLong(); // its silence while frozen is not held against it
        return true;
    }

    /** Pauses {@code s} once it has been idle for keep-warm (on a timer armed when its last session ended), and is quiet. */
    private void armPause(Slave s) {
        armPause(s, WarmRule.untilPause(nanos.getAsLong(), s.idleSince, warmth));
    }

    private void armPause(Slave s, long delayNanos) {
        if (!warmth.pauses() || s.state != Slave.State.ACTIVE || s.warm != Slave.Warm.WARM || s.load() > 0) return;
        if (s.pauseTimer != null) s.pauseTimer.cancel(false);
        s.pauseTimer = loop.schedule(() -> {
            s.pauseTimer = null;
            if (s.state == Slave.State.ACTIVE && s.warm == Slave.Warm.WARM
                    && WarmRule.decide(nanos.getAsLong(), s.load(), s.idleSince, -1, warmth) == WarmRule.Action.PAUSE) {
                pauseWhenQuiet(s);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Pauses {@code s} unless it is busy on its own: a thread of its process on a CPU or waiting for one
     * ({@link InstanceHandle#running()}, looked at {@link WarmRule#QUIET_LOOKS} times a millisecond apart, off the
     * loop); then it is looked at again after keep-warm, up to {@link WarmRule#QUIET_LIMIT_NANOS} after its last reply.
     * A worker frozen while its JIT compiles or while it warms up would do that work after its thaw, beside the call
     * it was thawed for.
     */
    private void pauseWhenQuiet(Slave s) {
        InstanceHandle h = s.handle;
        long idleSince = s.idleSince;
        if (h == null || !WarmRule.waitForQuiet(nanos.getAsLong(), idleSince)) {
            pause(s);
            return;
        }
        Thread.ofVirtual().name("steward-quiet-" + name).start(() -> {
            boolean busy = false;
            try {
                for (int i = 0; i < WarmRule.QUIET_LOOKS && !busy; i++) {
                    if (i > 0) Thread.sleep(1);
                    busy = h.running();
                }
            } catch (InterruptedException e) {
                return;
            }
            boolean wait = busy;
            dev.steward.agent.net.Loops.post(loop, () -> {
                // a call since (or one under way) arms the timer again at its end
                if (s.state != Slave.State.ACTIVE || s.warm != Slave.Warm.WARM || s.load() > 0 || s.idleSince != idleSince) return;
                if (wait) armPause(s, warmth.keepWarm().toNanos());
                else pause(s);
            });
        });
    }

    /** Freezes {@code s} off the loop (a cgroup v1 freezer is waited for); it takes no session until thawed. */
    private void pause(Slave s) {
        s.warm = Slave.Warm.PAUSING;
        InstanceHandle h = s.handle;
        Thread.ofVirtual().name("steward-pause-" + name).start(() -> {
            String problem = null;
            try {
                h.pause();
            } catch (java.io.IOException | RuntimeException e) {
                problem = e.getMessage();
            }
            String failed = problem;
            dev.steward.agent.net.Loops.post(loop, () -> paused(s, failed));
        });
    }

    private void paused(Slave s, String problem) {
        if (s.state != Slave.State.ACTIVE) {
            s.warm = Slave.Warm.PAUSED; // frozen after it was told to go (which thawed nothing yet): thawed now, to hear it
            resumeQuietly(s);
            return;
        }
        if (problem != null) {
            s.warm = Slave.Warm.WARM; // stays warm; tried again after its next session
            return;
        }
        s.warm = Slave.Warm.PAUSED;
        s.pausedSince = nanos.getAsLong();
        if (queue.untagged() > 0) pump(); // a call came while it was being paused
    }

    private static void resumeQuietly(Slave s) {
        if (s.warm == Slave.Warm.WARM || s.handle == null) return;
        s.warm = Slave.Warm.WARM;
        try {
            s.handle.resume();
        } catch (java.io.IOException | RuntimeException ignored) {
            // it is being ended anyway
        }
    }

    private void dispatch(Invocation inv, Slave s) {
        warmth.starts().accept(s.nextStart);
        s.nextStart = Warmth.Start.WARM;
        send(inv, s);
    }

    /** Writes {@code inv}'s frames to {@code s}, as a session of its own. */
    private void send(Invocation inv, Slave s) {
        long session = s.nextSession();
        inv.slave = s;
        inv.session = session;
        s.sessions.put(session, inv);
        Channel ch = s.channel;
        InvokeTrace.mark("send");
        ch.write(new WorkerMessage.Invoke(session, inv.event).frame(), ch.voidPromise());
        ch.write(new WorkerMessage.Chunk(session, inv.data).frame(), ch.voidPromise());
        InvokeTrace.mark("written");
        ch.writeAndFlush(new WorkerMessage.Choke(session).frame(), ch.voidPromise());
        InvokeTrace.mark("sent to the worker");
    }

    /** Hands waiting events to workers with room, then grows the pool for what still waits. */
    private void pump() {
        if (state != State.RUNNING) return;
        while (queue.untagged() > 0) {
            Slave s = leastLoaded();
            Slave paused = s == null ? firstPaused() : null;
            if (s == null && paused == null) break;
            Invocation inv = queue.take();
            if (inv == null) break; // their clients had gone
            if (s != null) dispatch(inv, s);
            else if (!thawFor(inv, paused)) queue.putBack(inv); // that one is killed: the next paused one, or a new one
        }
        for (String tag : queue.tags()) {
            Slave s = slaves.get(tag);
            if (s != null && s.state == Slave.State.ACTIVE && s.warm == Slave.Warm.PAUSED && thaw(s)) s.nextStart = Warmth.Start.PAUSED;
            while (s != null && takes(s)) {
                Invocation inv = queue.take(tag);
                if (inv == null) break;
                dispatch(inv, s);
            }
        }
        grow();
    }

    private void grow() {
        long now = nanos.getAsLong();
        if (backoff.holds(now)) {
            if (pumpLater == null) {
                pumpLater = loop.schedule(() -> {
                    pumpLater = null; // before pumping: a back-off grown meanwhile schedules again
                    pump();
                }, backoff.untilNanos() - now, TimeUnit.NANOSECONDS);
            }
            return;
        }
        int pool = (int) slaves.values().stream().filter(Slave::counts).count();
        for (int i = PoolRule.toSpawn(queue.untagged(), pool, profile.growThreshold(), profile.poolLimit()); i > 0; i--) {
            spawn(UUID.randomUUID().toString());
            pool++;
        }
        for (String tag : queue.tags()) {
            Slave s = slaves.get(tag);
            if (s != null) continue; // starting, active, or on its way out (spawned again once gone)
            if (pool < profile.poolLimit()) {
                spawn(tag);
                pool++;
            } else {
                slaves.values().stream().filter(x -> x.state == Slave.State.ACTIVE && x.load() == 0).findFirst()
                        .ifPresent(x -> terminate(x, "making room for a pinned worker"));
            }
        }
    }

    // ---- workers ------------------------------------------------------------------------------

    private void spawn(String id) {
        Slave s = new Slave(id, nanos.getAsLong(), workers.log(id));
        slaves.put(id, s);
        Thread.ofVirtual().name("steward-spawn-" + name).start(() -> {
            try {
                // how it starts is set on the loop before the worker can greet it (a pooled one greets at once)
                InstanceHandle h = workers.spawn(id, s.log, start -> dev.steward.agent.net.Loops.post(loop, () -> s.nextStart = start));
                dev.steward.agent.net.Loops.post(loop, () -> spawned(s, h));
            } catch (Exception e) {
                dev.steward.agent.net.Loops.post(loop, () -> {
                    slaves.remove(id);
                    broken("cannot start a worker: " + e.getMessage());
                });
            }
        });
    }

    private void spawned(Slave s, InstanceHandle h) {
        s.handle = h;
        h.exit().thenAccept(st -> dev.steward.agent.net.Loops.post(loop, () -> exitedAfterItsLastWords(s, st)));
        if (s.state == Slave.State.TERMINATING && s.channel == null) h.kill(); // stopped while it was being spawned
    }

    /** The worker that says {@code uuid} on {@code ch}, or null when none waits for that handshake. */
    Slave handshake(Channel ch, String uuid) {
        Slave s = slaves.get(uuid);
        if (s == null || s.channel != null || s.state != Slave.State.STARTING) return null;
        s.channel = ch;
        s.lastHeard = nanos.getAsLong();
        return s;
    }

    /** What a worker says after its handshake; a {@link ProtocolException} closes its connection. */
    void receive(Slave s, FromWorker m) throws ProtocolException {
        s.lastHeard = nanos.getAsLong();
        switch (m) {
            case WorkerMessage.Handshake h -> throw new ProtocolException("handshake: a worker says its uuid once");
            case WorkerMessage.Heartbeat h -> heartbeat(s);
            case WorkerMessage.Terminate t -> terminated(s, t);
            case WorkerMessage.Chunk c -> {
                Invocation inv = s.sessions.get(c.session());
                if (inv != null) {
                    InvokeTrace.mark("chunk from the worker");
                    inv.sink.chunk(c.data());
                    touched.add(inv.sink);
                }
            }
            case WorkerMessage.Error e -> {
                Invocation inv = s.sessions.remove(e.session());
                if (inv != null) {
                    inv.fail(e.code(), e.message());
                    sessionEnded(s);
                }
            }
            case WorkerMessage.Choke c -> choked(s, c.session());
        }
    }

    private void heartbeat(Slave s) {
        s.channel.writeAndFlush(new WorkerMessage.Heartbeat().frame(), s.channel.voidPromise());
        if (s.state == Slave.State.STARTING) {
            s.state = Slave.State.ACTIVE;
            s.everActive = true;
            s.idleSince = s.lastHeard;
            pump();
            armPause(s);
        }
    }

    private void terminated(Slave s, WorkerMessage.Terminate t) {
        String why = t.reason().isEmpty() ? "" : ": " + t.reason();
        s.endedBecause = "it terminated" + why;
        if (t.code() == Messages.TERMINATE_ABNORMAL) broken("worker " + s.id + " terminated abnormally" + why);
        if (s.state != Slave.State.TERMINATING) {
            s.state = Slave.State.TERMINATING;
            s.terminatingSince = s.lastHeard;
        }
        failSessions(s, "worker " + s.id + " terminated");
        pump();
    }

    private void choked(Slave s, long session) {
        InvokeTrace.mark("choke from the worker");
        Invocation inv = s.sessions.remove(session);
        if (inv != null) {
            inv.finish();
            touched.add(inv.sink);
            served++;
            backoff = Backoff.NONE;
            sessionEnded(s);
        }
    }

    /**
     * The end of a read from worker {@code from}: what was relayed goes out. A reader that does not
     * keep up holds the worker: its connection is not read (so the worker blocks writing) until every
     * such reader has drained; meanwhile its silence is not held against it.
     */
    void flush(Slave from) {
        for (Sink k : touched) {
            k.flush();
            if (from != null && k.congested()) hold(from, k); // from: a worker past its handshake
        }
        touched.clear();
    }

    private void hold(Slave s, Sink k) {
        if (!s.heldBy.add(k)) return; // already waiting for this one
        if (s.heldBy.size() == 1) {
            s.channel.config().setAutoRead(false);
            s.heldSince = nanos.getAsLong();
        }
        k.whenDrained(() -> dev.steward.agent.net.Loops.post(loop, () -> {
            if (s.heldBy.remove(k) && s.heldBy.isEmpty() && s.channel != null) s.channel.config().setAutoRead(true);
        }));
    }

    private void sessionEnded(Slave s) {
        if (s.load() > 0) return;
        s.idleSince = nanos.getAsLong();
        if (s.state == Slave.State.TERMINATING && s.endedBecause != null && s.channel != null && s.channel.isActive()) {
            tellToTerminate(s); // it waited for its last session
        }
        pump();
        armPause(s);
    }

    /** The worker's connection is gone: nothing more can come from it. */
    void disconnected(Slave s) {
        if (warmth != Warmth.NONE && s.handle != null && !s.sessions.isEmpty() && s.endedBecause == null) {
            // a function's worker crashed: its exit, seen in a moment, tells the callers why (out of memory); a second at most
            loop.schedule(() -> failSessions(s, "worker " + s.id + " disconnected"), 1, TimeUnit.SECONDS);
        } else {
            failSessions(s, "worker " + s.id + " disconnected");
        }
        if (s.endedBecause == null && state != State.STOPPING && s.state != Slave.State.GONE) {
            // a crash: back off now, not when its exit is seen, or a call arriving in between spawns at once
            backoff = backoff.crashed(nanos.getAsLong());
            s.backedOff = true;
        }
        if (s.state == Slave.State.STARTING || s.state == Slave.State.ACTIVE) {
            s.state = Slave.State.TERMINATING;
            s.terminatingSince = nanos.getAsLong();
        }
        pump();
    }

    /**
     * A worker's exit is handled once what it wrote before it exited has been read (a terminate
     * frame says whether the exit was a crash): its connection ends by itself when the process is
     * gone, and is closed if it has not ended a second later.
     */
    private void exitedAfterItsLastWords(Slave s, ExitStatus status) {
        Channel ch = s.channel;
        if (ch == null || !ch.isOpen()) {
            exited(s, status);
            return;
        }
        var late = loop.schedule(() -> {
            ch.close();
        }, 1, java.util.concurrent.TimeUnit.SECONDS);
        ch.closeFuture().addListener(f -> dev.steward.agent.net.Loops.post(loop, () -> {
            late.cancel(false);
            exited(s, status);
        }));
    }

    private void exited(Slave s, ExitStatus status) {
        Slave.State was = s.state;
        s.state = Slave.State.GONE;
        slaves.remove(s.id, s);
        failSessions(s, "worker " + s.id + " exited: " + status.describe());
        if (s.channel != null) s.channel.close();
        boolean crash = s.endedBecause == null && state != State.STOPPING;
        if (crash) {
            crashes++;
            List<String> lines = workers.tail(s.log, 20);
            lastCrash = new Crash(s.id, s.problem != null ? s.problem : status.describe(), clock.instant().toString(), lines);
            if (!s.backedOff) backoff = backoff.crashed(nanos.getAsLong());
            boolean active = slaves.values().stream().anyMatch(x -> x.state == Slave.State.ACTIVE);
            if (!s.everActive && !active) {
                String last = lines.isEmpty() ? "" : " (" + lines.get(lines.size() - 1) + ")";
                failQueue(Messages.RESOURCE_ERROR, "no worker could start: " + lastCrash.status() + last);
            }
        }
        workers.prune();
        if ((state == State.STOPPING || state == State.BROKEN) && slaves.isEmpty()) {
            if (state == State.STOPPING) finishStop();
            return;
        }
        if (was != Slave.State.GONE) pump();
    }

    private void failSessions(Slave s, String why) {
        if (s.sessions.isEmpty()) return;
        List<Invocation> open = List.copyOf(s.sessions.values());
        s.sessions.clear();
        for (Invocation inv : open) inv.fail(Messages.RESOURCE_ERROR, why);
    }

    private void failQueue(int code, String why) {
        for (Invocation inv : queue.clear()) inv.fail(code, why);
    }

    private void terminate(Slave s, String why) {
        if (s.state == Slave.State.TERMINATING || s.state == Slave.State.GONE) return;
        s.state = Slave.State.TERMINATING;
        s.terminatingSince = nanos.getAsLong();
        s.endedBecause = why;
        resumeQuietly(s);
        if (s.channel == null) {
            if (s.handle != null) s.handle.kill();
        } else if (s.load() == 0) {
            tellToTerminate(s);
        }
    }

    private static void tellToTerminate(Slave s) {
        s.channel.writeAndFlush(new WorkerMessage.Terminate(Messages.TERMINATE_NORMAL, s.endedBecause).frame(), s.channel.voidPromise());
    }

    private void kill(Slave s, String problem) {
        if (s.problem == null) s.problem = problem;
        if (s.handle != null) s.handle.kill();
    }

    /** Startup, heartbeat, idle and termination timeouts. */
    private void tick() {
        long now = nanos.getAsLong();
        queue.sweep(now);
        for (Slave s : List.copyOf(slaves.values())) {
            switch (s.state) {
                case STARTING -> {
                    if (now - s.spawnedAt > profile.startupTimeout().toNanos()) {
                        kill(s, "no heartbeat within the startup timeout of " + Durations.format(profile.startupTimeout()));
                    }
                }
                case ACTIVE -> {
                    if (s.warm != Slave.Warm.WARM) { // frozen: silent by design; removed once paused for idle
                        if (WarmRule.decide(now, s.load(), s.idleSince, s.pausedSince, warmth) == WarmRule.Action.REMOVE) {
                            terminate(s, "paused for " + Durations.format(warmth.idle()) + " without a call");
                        }
                        continue;
                    }
                    if (!s.heldBy.isEmpty()) {
                        s.lastHeard = now; // not read while a slow reader catches up
                        if (now - s.heldSince > profile.heartbeatTimeout().toNanos()) {
                            // a reader that took nothing for that long is cut, so that it holds the worker no more
                            List.copyOf(s.heldBy).forEach(Sink::cut);
                            s.heldSince = now;
                        }
                    }
                    if (now - s.lastHeard > profile.heartbeatTimeout().toNanos()) {
                        String why = "worker " + s.id + " sent no heartbeat for " + Durations.format(profile.heartbeatTimeout());
                        failSessions(s, why);
                        s.state = Slave.State.TERMINATING;
                        s.terminatingSince = now;
                        kill(s, why);
                    } else if (s.load() == 0 && !profile.idleTimeout().isZero() && now - s.idleSince > profile.idleTimeout().toNanos()) {
                        terminate(s, "slave is idle");
                    }
                }
                case TERMINATING -> {
                    if (now - s.terminatingSince > profile.terminationTimeout().toNanos()) {
                        kill(s, s.problem != null ? s.problem : "it did not end within the termination timeout");
                    }
                }
                case GONE -> { }
            }
        }
    }

    // ---- the app's life -----------------------------------------------------------------------

    private void broken(String why) {
        if (state != State.RUNNING) return;
        state = State.BROKEN;
        reason = why;
        failQueue(Messages.RESOURCE_ERROR, "the app is broken: " + why);
        for (Slave s : List.copyOf(slaves.values())) terminate(s, "the app is broken");
    }

    /** Stops the app: waiting events fail, workers finish their sessions and are told to end, killed after the termination timeout. */
    CompletableFuture<Void> stop() {
        dev.steward.agent.net.Loops.post(loop, () -> {
            if (state == State.STOPPING || state == State.STOPPED) return;
            state = State.STOPPING;
            failQueue(Messages.RESOURCE_ERROR, "the engine is shutting down");
            for (Slave s : List.copyOf(slaves.values())) terminate(s, "the app is stopping");
            if (slaves.isEmpty()) finishStop();
        });
        return stopped;
    }

    /** Kills every worker at once (the agent is going away). */
    void kill() {
        dev.steward.agent.net.Loops.post(loop, () -> slaves.values().forEach(s -> kill(s, "the agent stopped")));
    }

    private void finishStop() {
        state = State.STOPPED;
        if (ticker != null) ticker.cancel(false);
        if (pumpLater != null) pumpLater.cancel(false);
        stopped.complete(null);
    }

    public CompletableFuture<State> state() {
        return CompletableFuture.supplyAsync(() -> state, loop);
    }

    /** What {@code info} answers: the protocol's keys, then the workers and the last crash. */
    @Override
    public CompletableFuture<Map<String, Object>> info() {
        return CompletableFuture.supplyAsync(this::describe, loop);
    }

    private Map<String, Object> describe() {
        int busy = 0;
        int paused = 0;
        int counting = 0;
        int pending = 0;
        List<Integer> loads = new ArrayList<>();
        List<Map<String, Object>> list = new ArrayList<>();
        long now = nanos.getAsLong();
        for (Slave s : slaves.values()) {
            if (s.counts()) counting++;
            if (s.state == Slave.State.ACTIVE && s.warm != Slave.Warm.WARM) paused++;
            if (s.state == Slave.State.ACTIVE) {
                loads.add(s.load());
                if (s.load() > 0) busy++;
            }
            pending += s.load();
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("id", s.id);
            w.put("state", s.state == Slave.State.ACTIVE && s.warm != Slave.Warm.WARM ? s.warm.name().toLowerCase() : s.state.name().toLowerCase());
            if (s.handle != null && warmth.pauses()) w.put("paused-by", s.handle.pausing());
            w.put("load", s.load());
            w.put("pid", s.handle == null ? 0 : s.handle.pid());
            if (!s.heldBy.isEmpty()) w.put("held-by-slow-readers", s.heldBy.size());
            w.put("age-ms", (now - s.spawnedAt) / 1_000_000);
            list.add(w);
        }
        loads.sort(null);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", Map.of("capacity", profile.queueLimit(), "depth", queue.depth()));
        m.put("pool", Map.of("active", busy, "idle", counting - busy - paused, "paused", paused, "capacity", profile.poolLimit()));
        m.put("sessions", Map.of("pending", pending));
        m.put("state", state.wire());
        m.put("profile", profileName);
        m.put("load-median", loads.isEmpty() ? 0 : loads.get(loads.size() / 2));
        m.put("reason", reason);
        m.put("served", served);
        m.put("abandoned", queue.abandoned());
        m.put("crashes", crashes);
        m.put("backoff-ms", backoff.holds(now) ? (backoff.untilNanos() - now) / 1_000_000 : 0);
        m.put("workers", list);
        if (lastCrash != null) m.put("last-crash", lastCrash);
        return m;
    }
}
