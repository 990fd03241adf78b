package dev.steward.agent.instance;

import dev.steward.agent.health.PingLoop;
import dev.steward.agent.health.Vitals;
import dev.steward.agent.isolate.ExitStatus;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.agent.isolate.SpawnRequest;
import dev.steward.agent.store.InstanceRecord;
import dev.steward.model.Event;
import dev.steward.model.InstanceState;
import dev.steward.model.Spec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance of a service: its slot (id, port, log) kept across restarts, and its life: spawn,
 * ready, exit, restart back-off, stop. Its fields are touched only on the owning service's runner;
 * spawning, adopting, stopping and waiting run on virtual threads of their own and come back as
 * {@link InstanceEvent}s. Each concern beyond the life itself is an {@link InstanceHook}.
 */
public final class InstanceRunner {
    private final Context ctx;
    private final String service;
    private final String id;
    private final int port;
    private final Path log;
    private final InstanceEvent.Mailbox mailbox;
    private final List<InstanceHook> hooks;
    private Spec spec;
    private int specVersion;
    private InstanceState state = InstanceState.PENDING;
    private InstanceHandle handle;
    /** Bumped at every spawn, exit and stop, so that late events of an earlier process are ignored. */
    private long generation;
    private int restarts;
    private Instant started;
    private Vitals vitals = Vitals.START;
    private boolean stopRequested;
    private String reason = "";
    /** The record of a restored instance not confirmed yet, or null. */
    private InstanceRecord restored;
    PingLoop pings;

    public InstanceRunner(Context ctx, String service, String id, int port, Path log, InstanceEvent.Mailbox mailbox,
                          List<InstanceHook> hooks) {
        this.ctx = ctx;
        this.service = service;
        this.id = id;
        this.port = port;
        this.log = log;
        this.mailbox = mailbox;
        this.hooks = List.copyOf(hooks);
    }

    // ---- what it is ------------------------------------------------------------------------

    public String id() { return id; }

    public String service() { return service; }

    public int port() { return port; }

    public Path log() { return log; }

    public Spec spec() { return spec; }

    public int specVersion() { return specVersion; }

    public InstanceState state() { return state; }

    public InstanceHandle handle() { return handle; }

    public long generation() { return generation; }

    public int restarts() { return restarts; }

    public Instant started() { return started; }

    public Vitals vitals() { return vitals; }

    public boolean stopRequested() { return stopRequested; }

    public String reason() { return reason; }

    Context context() { return ctx; }

    void post(InstanceEvent e) {
        mailbox.post(e);
    }

    /** The process's pid; for an instance restored from its record and not confirmed yet, the recorded one. */
    public long pid() {
        if (!state.live()) return 0;
        if (handle != null) return handle.pid();
        return restored == null ? 0 : restored.pid();
    }

    /** Counts towards the wanted number: not being stopped. */
    public boolean counts() {
        return !stopRequested;
    }

    /** Running, ready, and not being stopped: the gateway may send it requests. */
    public boolean routable() {
        return state == InstanceState.RUNNING && vitals.ready() && !stopRequested && port > 0;
    }

    /** What the store keeps so that a restarted agent can adopt it. */
    public InstanceRecord record() {
        return new InstanceRecord(id, service, handle.pid(), handle.startTicks(), port, started.toEpochMilli(), restarts,
                log.toString(), state == InstanceState.PAUSED, ctx.ports().host(), routable());
    }

    // ---- its life --------------------------------------------------------------------------

    /** Starts (or starts again) the program of {@code spec}; the outcome comes back as Spawned or SpawnFailed. */
    public void spawn(Spec s, int version) {
        spec = s;
        specVersion = version;
        long gen = ++generation;
        state = InstanceState.STARTING;
        handle = null;
        vitals = Vitals.START;
        reason = "";
        emit();
        dev.steward.agent.ColdTrace.mark("spawn asked (" + service + ")");
        Thread.ofVirtual().name("spawn-" + service + "-" + id).start(() -> {
            try {
                dev.steward.agent.ColdTrace.mark("spawn thread running");
                Map<String, String> env = new HashMap<>(s.env());
                hooks.forEach(h -> h.prestart(this, env));
                Path dir = ctx.workDir(s);
                List<String> argv = Expand.all(s.command(), Launch.merged(env));
                dev.steward.agent.ColdTrace.spawnPart("spawn: hooks run, command expanded");
                InstanceHandle h = ctx.isolates().of(s.isolate()).spawn(new SpawnRequest(service, id, argv, dir, env, dev.steward.agent.logs.LogStamper.raw(log),
                        s.resources(), Launch.isolateOptions(s, ctx.runAs())));
                dev.steward.agent.ColdTrace.mark("spawned, pid " + h.pid());
                post(new InstanceEvent.Spawned(id, gen, h));
            } catch (Exception e) {
                post(new InstanceEvent.SpawnFailed(id, gen, "cannot start: " + e.getMessage()));
            }
        });
    }

    /**
     * Takes the place of the process a stored record names: routed as it was at once, confirmed later
     * by {@link #confirm} (the isolate looks at the process), so that an agent serves before it has
     * looked at every instance it adopts.
     */
    public void restore(Spec s, int version, InstanceRecord r) {
        spec = s;
        specVersion = version;
        ++generation;
        restarts = r.restarts();
        started = Instant.ofEpochMilli(r.started());
        state = r.paused() ? InstanceState.PAUSED : InstanceState.RUNNING;
        vitals = Vitals.adopted();
        reason = "adopting after an agent restart";
        restored = r;
    }

    /** Asks the isolate, off the runner, whether the restored process is still that very one; the answer comes back as Adopted. */
    public void confirm() {
        InstanceRecord r = restored;
        if (r == null) return;
        restored = null;
        long gen = generation;
        Spec s = spec;
        Thread.ofVirtual().name("adopt-" + service + "-" + id).start(() -> {
            try {
                var h = ctx.isolates().of(s.isolate()).adopt(service, id, r.pid(), r.startTicks(), log);
                post(new InstanceEvent.Adopted(id, gen, h));
            } catch (RuntimeException e) {
                post(new InstanceEvent.Adopted(id, gen, java.util.Optional.empty()));
            }
        });
    }

    /** The isolate started it (or found it again): it runs. */
    public void attach(InstanceHandle h, String why) {
        dev.steward.agent.ColdTrace.mark("running (runner), pings begin");
        handle = h;
        // asked to stop while it was starting: it stays stopping, and its stop begins now
        if (stopRequested) state = InstanceState.STOPPING;
        else if (state != InstanceState.PAUSED) state = InstanceState.RUNNING;
        if (!stopRequested) reason = why;
        if (started == null || !h.adopted()) started = ctx.clock().instant();
        long gen = generation;
        h.exit().whenComplete((st, err) -> post(new InstanceEvent.Exited(id, gen, st == null ? new ExitStatus.Unknown() : st)));
        emit();
        hooks.forEach(k -> k.running(this));
        if (stopRequested) beginStop();
    }

    /** Could not be started: failed, with the reason. */
    public void failedToStart(String why) {
        generation++;
        state = InstanceState.FAILED;
        reason = why;
        emit();
    }

    /** Its process ended; true when that was asked for (a stop), false when it ended on its own. */
    public boolean exited(ExitStatus st) {
        generation++;
        hooks.forEach(k -> k.exited(this));
        if (stopRequested) {
            state = InstanceState.EXITED;
            reason = "stopped (" + st.describe() + ")";
            emit();
            return true;
        }
        state = st.clean() ? InstanceState.EXITED : InstanceState.FAILED;
        reason = vitals.unhealthy() ? "unhealthy, restarted (" + st.describe() + ")" : st.describe();
        emit();
        return false;
    }

    /** How long the process ran before it ended. */
    public Duration ran() {
        return started == null ? Duration.ZERO : Duration.between(started, ctx.clock().instant());
    }

    /** Schedules a restart after {@code delay}; it comes back as RestartDue. */
    public void restartAfter(Duration delay) {
        long gen = generation;
        ctx.later(delay, () -> post(new InstanceEvent.RestartDue(id, gen)));
    }

    /** Starts again after a back-off: the same slot, one restart more. */
    public void restart(Spec s, int version) {
        restarts++;
        spawn(s, version);
    }

    /**
     * Takes it out of rotation at once; once its requests in flight finish it is told to stop (SIGTERM
     * or the engine's stop), and killed if still there after the grace. False when it was not live (nothing to wait for).
     */
    public boolean stop(String why) {
        stopRequested = true;
        if (!state.live()) return false;
        state = InstanceState.STOPPING;
        reason = why;
        emit();
        if (handle != null) beginStop();
        return true;
    }

    private void beginStop() {
        long gen = generation;
        java.util.concurrent.CompletableFuture<?>[] waits = hooks.stream().map(k -> k.stopping(this))
                .toArray(java.util.concurrent.CompletableFuture[]::new);
        java.util.concurrent.CompletableFuture.allOf(waits).whenComplete((v, e) -> post(new InstanceEvent.Drained(id, gen)));
    }

    /** Drained: tell it to stop, and schedule the kill. */
    public void terminate() {
        if (state != InstanceState.STOPPING || handle == null) return;
        InstanceHandle h = handle;
        long gen = generation;
        // the kill is due from now: scheduled before the stop is sent, so that whoever sees it sent finds the kill due
        ctx.later(ctx.stopGrace(), () -> post(new InstanceEvent.KillDue(id, gen)));
        Thread.ofVirtual().name("stop-" + service + "-" + id).start(h::terminate);
    }

    /** The grace passed and it still runs. */
    public void killLate() {
        if (state != InstanceState.STOPPING || handle == null) return;
        reason = "did not stop within " + ctx.stopGrace().toMillis() + "ms; killed";
        kill();
    }

    /** Ends the process now (off the runner); its exit comes back as Exited. */
    public void kill() {
        InstanceHandle h = handle;
        if (h != null) Thread.ofVirtual().name("kill-" + service + "-" + id).start(h::kill);
    }

    /** A ping's verdict: applied to its vitals; true when it just became unhealthy and must be replaced. */
    public boolean vitals(Vitals v) {
        boolean wasReady = vitals.ready();
        boolean wasUnhealthy = vitals.unhealthy();
        vitals = v;
        if (pings != null) pings.ready(v.ready());
        if (v.ready() && !wasReady) dev.steward.agent.ColdTrace.mark("ready (runner), published next");
        if (v.ready() != wasReady) hooks.forEach(k -> k.ready(this));
        if (v.unhealthy() && !wasUnhealthy && wasReady) {
            reason = "unhealthy: " + v.lastPing();
            emit();
            return true;
        }
        if (v.ready() != wasReady) emit();
        return false;
    }

    /** Paused or resumed by hand (the isolate already did it). */
    public void moved(InstanceState to, String error) {
        if (!error.isEmpty()) {
            reason = error;
        } else {
            state = to;
            reason = to == InstanceState.PAUSED ? "paused" : "";
            hooks.forEach(k -> k.paused(this, to == InstanceState.PAUSED));
        }
        emit();
    }

    /** The agent is closing: its ping loop ends; the process runs on, for the next agent to adopt. */
    public void detach() {
        if (pings != null) pings.cancel();
        pings = null;
    }

    /** Forgets the slot: its port and store record go. */
    public void remove() {
        generation++;
        hooks.forEach(k -> k.removed(this));
    }

    /** Publishes its state. */
    public void emit() {
        ctx.events().publish(new Event.InstanceChanged(ctx.clock().instant(), service, id, state,
                handle == null ? 0 : handle.pid(), restarts, reason));
    }
}
