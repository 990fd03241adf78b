package dev.steward.agent.supervisor;

import dev.steward.agent.isolate.ExitStatus;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.agent.isolate.SpawnRequest;
import dev.steward.agent.store.InstanceRecord;
import dev.steward.agent.store.ServiceRecord;
import dev.steward.model.Event;
import dev.steward.model.Health;
import dev.steward.model.InstanceState;
import dev.steward.model.PolicyKind;
import dev.steward.model.ServiceState;
import dev.steward.model.Spec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps one service's instances at the number its policy wants: spawns, restarts with back-off,
 * stops, and publishes every change. The one owner of the service's mutable state, behind one lock.
 */
public final class ServiceController {
    private final Context ctx;
    private final Needs needs;
    private final boolean custom;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final RestartTracker restarts;
    private final Stats stats = new Stats();
    private final PingLoop pings;
    private ServiceRecord record;
    /** Written under the lock, read without it (an immutable record): the gateway reads it per request. */
    private volatile Spec spec;
    private Integer manualCount;
    /** The instance count the pings last recommended (dynamic services), or null. */
    private Integer recommended;
    private int references;
    /** The autoscaler's count for a dynamic service. */
    private volatile int scaled;
    private boolean lingerCheckPending;
    private Instant lingerUntil = Instant.MIN;
    private boolean disabled;
    private String disabledReason = "";
    private boolean holdingNeeds;
    private boolean removed;
    private boolean halting;
    private ServiceState lastState = ServiceState.STOPPED;
    private Health lastHealth = Health.UNKNOWN;
    /** The ready endpoints, recomputed under the lock at every change and published for lock-free reads. */
    private volatile List<Endpoint> ready = List.of();

    public ServiceController(Context ctx, Needs needs, ServiceRecord record, Spec spec, boolean custom) {
        this.ctx = ctx;
        this.needs = needs;
        this.record = record;
        this.spec = spec;
        this.custom = custom;
        this.restarts = new RestartTracker(spec.restart());
        this.pings = new PingLoop(ctx, this);
    }

    /** Begins work after construction: a ping-only service starts being pinged. */
    public void activate() {
        locked(() -> {
            if (spec.isPingOnly() && !removed && instances.isEmpty()) {
                Instance ext = new Instance("endpoint", spec.pingOnly().getPort(), null);
                ext.state = InstanceState.RUNNING;
                ext.started = ctx.clock().instant();
                instances.put(ext.id, ext);
                pings.start(ext, ext.generation, spec);
            }
            publishState();
            return null;
        });
    }

    public String name() {
        return spec.name();
    }

    public Spec spec() {
        return spec;
    }

    public ServiceRecord record() {
        return locked(() -> record);
    }

    public boolean custom() {
        return custom;
    }

    // ---- commands -------------------------------------------------------------------------

    /** Starts the service (enabling it again after a failure limit), optionally with a count. */
    public void start(Integer count) {
        locked(() -> {
            if (count != null) manualCount = spec.policy() == PolicyKind.DYNAMIC ? spec.instances().clamp(count) : count;
            if (count != null) recommended = null;
            disabled = false;
            disabledReason = "";
            restarts.reset();
            setEnabled(true);
            reconcile();
            return null;
        });
    }

    public void stop() {
        locked(() -> {
            setEnabled(false);
            manualCount = null;
            scaled = 0;
            lingerUntil = Instant.MIN;
            reconcile();
            return null;
        });
    }

    /** Stops the instances for an agent shutdown, without recording the service as stopped. */
    public void halt() {
        locked(() -> {
            halting = true;
            reconcile();
            return null;
        });
    }

    /** Freezes every running instance; refused when none runs. */
    public int pause() {
        return move(InstanceState.RUNNING, InstanceState.PAUSED, "pause", InstanceHandle::pause);
    }

    /** Thaws every paused instance; refused when none is paused. */
    public int resume() {
        return move(InstanceState.PAUSED, InstanceState.RUNNING, "resume", InstanceHandle::resume);
    }

    private interface HandleAction {
        void apply(InstanceHandle h) throws java.io.IOException;
    }

    /** Applies {@code action} to every instance in state {@code from}, moving it to {@code to}. */
    private int move(InstanceState from, InstanceState to, String verb, HandleAction action) {
        return locked(() -> {
            List<Instance> chosen = instances.values().stream().filter(i -> i.state == from && i.handle != null).toList();
            if (chosen.isEmpty()) throw new ConflictException("service " + spec.name() + " has no " + from.wire() + " instance to " + verb);
            for (Instance i : chosen) {
                try {
                    action.apply(i.handle);
                    i.state = to;
                    i.reason = to == InstanceState.PAUSED ? "paused" : "";
                } catch (java.io.IOException e) {
                    i.reason = "cannot " + verb + ": " + e.getMessage();
                }
                emit(i);
            }
            return chosen.size();
        });
    }

    /**
     * Takes a reference: on-demand and lingering services run while referenced. A dynamic service
     * runs at least one instance per reference (within max), so each change of count reconciles it.
     */
    public void use() {
        locked(() -> {
            if (++references == 1 || spec.policy() == PolicyKind.DYNAMIC) reconcile();
            return null;
        });
    }

    public void release() {
        locked(() -> {
            if (references == 0) return null;
            references--;
            if (references > 0) {
                if (spec.policy() == PolicyKind.DYNAMIC) reconcile();
                return null;
            }
            if (spec.policy() == PolicyKind.LINGERING) {
                lingerUntil = ctx.clock().instant().plus(spec.linger());
                scheduleLingerCheck(spec.linger());
            }
            reconcile();
            return null;
        });
    }

    /** One pending check per service however many requests end: it looks again when the linger moved on. */
    private void scheduleLingerCheck(Duration after) {
        if (lingerCheckPending) return;
        lingerCheckPending = true;
        ctx.later(after.plusMillis(5), () -> locked(() -> {
            lingerCheckPending = false;
            Duration left = Duration.between(ctx.clock().instant(), lingerUntil);
            if (!left.isNegative() && !left.isZero()) scheduleLingerCheck(left);
            reconcile();
            return null;
        }));
    }

    /** The count the autoscaler wants for a dynamic service (clamped to min and max, never below references). */
    public void scaleTo(int n) {
        locked(() -> {
            if (n == scaled) return null;
            scaled = n;
            reconcile();
            return null;
        });
    }

    /** A request came for a dynamic service with no instance: at least one, now (the autoscaler takes over from there). */
    public void wake() {
        locked(() -> {
            if (scaled >= 1) return null;
            scaled = 1;
            reconcile();
            return null;
        });
    }

    /** What the autoscaler last asked for. */
    public int scaled() {
        return scaled;
    }

    /** Instances that count towards the wanted number: starting, running, or restarting. */
    public int liveCount() {
        return locked(this::counting);
    }

    private int counting() {
        return (int) instances.values().stream().filter(Instance::counts).count();
    }

    /** Replaces the spec; running instances are replaced by ones of the new spec. */
    public void update(Spec newSpec, ServiceRecord newRecord) {
        locked(() -> {
            boolean rerun = !newSpec.command().equals(spec.command()) || !newSpec.env().equals(spec.env())
                    || !java.util.Objects.equals(newSpec.dir(), spec.dir()) || !newSpec.isolate().equals(spec.isolate())
                    || !newSpec.resources().equals(spec.resources());
            spec = newSpec;
            record = newRecord;
            restarts.policy(newSpec.restart());
            if (manualCount != null && spec.policy() == PolicyKind.DYNAMIC) manualCount = spec.instances().clamp(manualCount);
            if (rerun) instances.values().forEach(this::stopInstance);
            reconcile();
            return null;
        });
    }

    /** Stops everything and forgets the service; returns once its instances are gone or {@code wait} passed. */
    public void remove(Duration wait) {
        locked(() -> {
            removed = true;
            reconcile();
            return null;
        });
        awaitStopped(wait);
    }

    public boolean awaitStopped(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (instances.values().stream().anyMatch(i -> i.state.live() || i.state == InstanceState.PENDING)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                changed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Takes over instances a previous agent left; those that died meanwhile are started again. */
    public void adopt(List<InstanceRecord> stored) {
        locked(() -> {
            for (InstanceRecord r : stored) {
                Instance inst = new Instance(r.id(), r.port(), Path.of(r.log()));
                inst.restarts = r.restarts();
                inst.started = Instant.ofEpochMilli(r.started());
                if (r.port() > 0) ctx.ports().reserve(r.port());
                instances.put(r.id(), inst);
                var handle = ctx.isolates().of(spec.isolate()).adopt(spec.name(), r.id(), r.pid(), r.startTicks(), inst.log);
                if (handle.isPresent()) {
                    attach(inst, handle.get(), "adopted after an agent restart");
                } else {
                    inst.state = InstanceState.FAILED;
                    inst.reason = "ended while the agent was down";
                    emit(inst);
                    respawnLater(inst, Duration.ZERO);
                }
            }
            reconcile();
            return null;
        });
    }

    // ---- reconciling ----------------------------------------------------------------------

    void reconcileLocked() {
        locked(() -> {
            reconcile();
            return null;
        });
    }

    int wanted() {
        if (removed || halting || disabled || spec.isPingOnly()) return 0;
        int count = manualCount != null ? manualCount : spec.instances().max();
        boolean on = record.enabled();
        return switch (spec.policy()) {
            case PERMANENT -> on ? count : 0;
            case ON_DEMAND -> on || references > 0 ? count : 0;
            case LINGERING -> on || references > 0 || ctx.clock().instant().isBefore(lingerUntil) ? count : 0;
            case DYNAMIC -> on || references > 0 || scaled > 0
                    ? spec.instances().clamp(Math.max(Math.max(dynamicBase(), scaled), references)) : 0;
        };
    }

    /** What a dynamic service wants before references: the pings' recommendation, else a manual count, else min. */
    private int dynamicBase() {
        if (recommended != null) return recommended;
        return manualCount == null ? spec.instances().min() : manualCount;
    }

    private void reconcile() {
        if (spec.isPingOnly()) {
            if (removed) List.copyOf(instances.values()).forEach(this::forgetExternal);
            publishState();
            changed.signalAll();
            return;
        }
        int wanted = wanted();
        holdNeeds(wanted > 0);
        List<Instance> counting = instances.values().stream().filter(Instance::counts).toList();
        if (counting.size() > wanted) {
            // Stop the newest first: the oldest have proven themselves.
            List<Instance> extra = new ArrayList<>(counting.subList(wanted, counting.size()));
            extra.forEach(this::stopInstance);
        } else if (counting.size() < wanted && needsMet()) {
            for (int i = counting.size(); i < wanted; i++) {
                String id = newId();
                Instance inst = new Instance(id, spec.hasPort() ? ctx.ports().allocate() : 0, ctx.logFile(spec.name(), id));
                instances.put(id, inst);
                spawn(inst);
            }
        }
        publishState();
        changed.signalAll();
    }

    private boolean needsMet() {
        return spec.needs().stream().allMatch(needs::available);
    }

    private void holdNeeds(boolean hold) {
        if (hold == holdingNeeds) return;
        if (!hold && instances.values().stream().anyMatch(i -> i.state.live())) return;
        holdingNeeds = hold;
        for (String n : spec.needs()) {
            if (hold) needs.use(n);
            else needs.release(n);
        }
    }

    private String newId() {
        String id;
        do {
            id = UUID.randomUUID().toString().substring(0, 8);
        } while (instances.containsKey(id));
        return id;
    }

    // ---- one instance ---------------------------------------------------------------------

    private void spawn(Instance inst) {
        inst.generation++;
        inst.state = InstanceState.STARTING;
        inst.ready = false;
        inst.health = Health.UNKNOWN;
        inst.passes = 0;
        inst.fails = 0;
        inst.reason = "";
        emit(inst);
        Map<String, String> env = environment(inst);
        try {
            Path dir = ctx.workDir(spec);
            List<String> argv = Expand.all(spec.command(), merged(env));
            InstanceHandle h = ctx.isolates().of(spec.isolate()).spawn(new SpawnRequest(spec.name(), inst.id, argv, dir, env, inst.log,
                    spec.resources(), isolateOptions(spec)));
            stats.starts++;
            inst.started = ctx.clock().instant();
            attach(inst, h, "");
            save(inst);
        } catch (Exception e) {
            inst.state = InstanceState.FAILED;
            inst.reason = "cannot start: " + e.getMessage();
            stats.failures++;
            stats.lastExit = "not started";
            stats.lastExitReason = inst.reason;
            emit(inst);
            decideAfterEnd(inst, Duration.ZERO, true);
        }
    }

    private void attach(Instance inst, InstanceHandle h, String reason) {
        inst.handle = h;
        inst.state = InstanceState.RUNNING;
        inst.reason = reason;
        long gen = inst.generation;
        emit(inst);
        h.exit().whenComplete((status, err) -> Thread.ofVirtual().start(() -> exited(inst, gen, status)));
        if (spec.ping() != null) pings.start(inst, gen, spec);
        else inst.ready = true;
    }

    /** The isolate's options, with the image for the container isolate. */
    static Map<String, String> isolateOptions(Spec spec) {
        if (spec.image() == null) return spec.isolate().options();
        Map<String, String> o = new HashMap<>(spec.isolate().options());
        o.put("image", spec.image());
        return o;
    }

    private Map<String, String> environment(Instance inst) {
        Map<String, String> env = new HashMap<>(spec.env());
        if (inst.port > 0) env.put("PORT", Integer.toString(inst.port));
        env.put("STEWARD_SERVICE", spec.name());
        env.put("STEWARD_INSTANCE", inst.id);
        env.put("STEWARD_NODE", ctx.node());
        return env;
    }

    private static Map<String, String> merged(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(System.getenv());
        all.putAll(env);
        return all;
    }

    private void stopInstance(Instance inst) {
        if (inst.stopRequested && inst.state != InstanceState.PENDING && inst.state != InstanceState.FAILED) return;
        inst.stopRequested = true;
        if (!inst.state.live()) {
            forget(inst);
            return;
        }
        // Out of rotation at once (stopRequested); requests in flight through the gateway finish first (drain).
        inst.state = InstanceState.STOPPING;
        inst.reason = "stop requested";
        emit(inst);
        long gen = inst.generation;
        Thread.ofVirtual().start(() -> {
            ctx.inFlight().awaitIdle(inst.id, ctx.stopGrace());
            locked(() -> {
                if (inst.generation == gen && inst.state == InstanceState.STOPPING) inst.handle.terminate();
                return null;
            });
            ctx.later(ctx.stopGrace(), () -> locked(() -> {
                if (inst.generation == gen && inst.state == InstanceState.STOPPING) {
                    inst.reason = "did not stop within " + ctx.stopGrace().toMillis() + "ms; killed";
                    inst.handle.kill();
                }
                return null;
            }));
        });
    }

    private void exited(Instance inst, long gen, ExitStatus status) {
        lock.lock();
        try {
            if (inst.generation != gen || !instances.containsKey(inst.id)) return;
            inst.generation++;
            ExitStatus st = status == null ? new ExitStatus.Unknown() : status;
            inst.lastExit = st;
            Duration ran = inst.started == null ? Duration.ZERO : Duration.between(inst.started, ctx.clock().instant());
            if (inst.stopRequested) {
                inst.state = InstanceState.EXITED;
                inst.reason = "stopped (" + st.describe() + ")";
                emit(inst);
                forget(inst);
            } else {
                boolean failed = !st.clean();
                inst.state = failed ? InstanceState.FAILED : InstanceState.EXITED;
                inst.reason = inst.health == Health.UNHEALTHY ? "unhealthy, restarted (" + st.describe() + ")" : st.describe();
                if (failed) stats.failures++;
                stats.lastExit = st.describe();
                stats.lastExitReason = inst.reason;
                emit(inst);
                decideAfterEnd(inst, ran, failed);
            }
            reconcile();
        } finally {
            lock.unlock();
        }
    }

    private void decideAfterEnd(Instance inst, Duration ran, boolean failed) {
        switch (restarts.ended(ctx.clock().instant(), ran, failed)) {
            case RestartTracker.Decision.Restart r -> respawnLater(inst, r.after());
            case RestartTracker.Decision.Disable d -> {
                disabled = true;
                disabledReason = "failure limit reached: " + d.reason() + "; last: " + inst.reason;
                instances.values().forEach(this::stopInstance);
                forget(inst);
            }
        }
    }

    private void respawnLater(Instance inst, Duration delay) {
        long gen = inst.generation;
        ctx.later(delay, () -> locked(() -> {
            if (inst.generation != gen || !instances.containsKey(inst.id) || inst.stopRequested) return null;
            long counting = instances.values().stream().filter(Instance::counts).count();
            if (counting > wanted() || disabled) {
                forget(inst);
            } else {
                inst.restarts++;
                spawn(inst);
            }
            reconcile();
            return null;
        }));
    }

    private void forgetExternal(Instance inst) {
        instances.remove(inst.id);
        inst.generation++;
        inst.state = InstanceState.EXITED;
    }

    private void forget(Instance inst) {
        instances.remove(inst.id);
        inst.generation++;
        if (inst.port > 0) ctx.ports().release(inst.port);
        if (!custom) ctx.repo().removeInstance(spec.name(), inst.id);
        holdNeeds(wanted() > 0);
    }

    private void save(Instance inst) {
        if (custom || inst.handle == null) return;
        ctx.repo().save(new InstanceRecord(inst.id, spec.name(), inst.handle.pid(), inst.handle.startTicks(), inst.port,
                inst.started.toEpochMilli(), inst.restarts, inst.log.toString()));
    }

    private void setEnabled(boolean on) {
        if (record.enabled() == on) return;
        record = record.withEnabled(on, ctx.clock().millis());
        if (!custom) ctx.repo().save(record);
    }

    // ---- pings ----------------------------------------------------------------------------

    /** A ping of instance {@code inst} (of generation {@code gen}) came back; false when the loop should end. */
    /** Whether instance {@code inst} of generation {@code gen} should be pinged now: null when its loop should end. */
    Boolean pingable(Instance inst, long gen) {
        return locked(() -> inst.generation != gen || !inst.state.live() || inst.state == InstanceState.STOPPING ? null
                : inst.state == InstanceState.RUNNING);
    }

    boolean pinged(Instance inst, long gen, PingResult r) {
        lock.lock();
        try {
            if (inst.generation != gen || !inst.state.live() || inst.state == InstanceState.STOPPING) return false;
            if (inst.state == InstanceState.PAUSED) return true;
            PingPolicy.apply(spec.ping(), inst, r);
            if (r.recommend() != null && spec.policy() == PolicyKind.DYNAMIC && !r.recommend().equals(recommended)) {
                // Within min and max, and never below what references need: wanted() clamps it.
                recommended = r.recommend();
                reconcile();
            }
            if (inst.health == Health.UNHEALTHY && inst.ready) {
                inst.reason = "unhealthy: " + r.message();
                if (inst.handle == null) {
                    inst.ready = false;
                    emit(inst);
                    return true;
                }
                emit(inst);
                inst.handle.kill();
                return false;
            }
            publishState();
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---- state out ------------------------------------------------------------------------

    private void emit(Instance inst) {
        ctx.events().publish(new Event.InstanceChanged(ctx.clock().instant(), spec.name(), inst.id, inst.state,
                inst.handle == null ? 0 : inst.handle.pid(), inst.restarts, inst.reason));
        publishState();
    }

    private void publishState() {
        ready = computeReady();
        ServiceState s = state();
        Health h = StateRules.health(instances.values());
        if (s == lastState && h == lastHealth) return;
        lastState = s;
        lastHealth = h;
        ctx.events().publish(new Event.ServiceChanged(ctx.clock().instant(), spec.name(), s, h, disabled ? disabledReason : ""));
        Thread.ofVirtual().start(() -> needs.changed(spec.name()));
    }

    private ServiceState state() {
        if (spec.isPingOnly()) {
            if (removed) return ServiceState.STOPPED;
            return instances.values().stream().anyMatch(i -> i.ready) ? ServiceState.AVAILABLE : ServiceState.WAITING;
        }
        return StateRules.state(disabled, wanted(), instances.values());
    }

    public ServiceState currentState() {
        return locked(this::state);
    }

    public ServiceView view() {
        return locked(() -> Views.service(this, spec, record, custom, state(), StateRules.health(instances.values()),
                disabled ? disabledReason : "", wanted(), references, instances.values(), stats, ctx));
    }

    /**
     * The log files of the service's instances, those gone included (so that a crashed or disabled
     * service still shows why), oldest first; or of one instance.
     */
    public List<Path> logs(String instance) {
        return dev.steward.agent.logs.LogFiles.in(ctx.dataDir().resolve("logs").resolve(spec.name()), instance);
    }

    /** Live instance counts by state, for metrics. */
    public Map<InstanceState, Integer> countByState() {
        return locked(() -> {
            Map<InstanceState, Integer> m = new java.util.EnumMap<>(InstanceState.class);
            instances.values().forEach(i -> m.merge(i.state, 1, Integer::sum));
            return m;
        });
    }

    /** Where a ready instance listens. */
    public record Endpoint(String instance, String host, int port, String hostAndPort) {
        public Endpoint(String instance, String host, int port) {
            this(instance, host, port, host + ":" + port);
        }
    }

    /** The instances that are running and have passed their ping, with their ports; read without the lock (the hot path). */
    public List<Endpoint> readyEndpoints() {
        return ready;
    }

    private List<Endpoint> computeReady() {
        return instances.values().stream()
                .filter(i -> i.state == InstanceState.RUNNING && i.ready && !i.stopRequested && i.port > 0 && i.handle != null)
                .map(i -> new Endpoint(i.id, "127.0.0.1", i.port)).toList();
    }

    /** Waits until an instance is ready, up to {@code wait}; empty when none became ready. */
    public java.util.Optional<Endpoint> awaitReady(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (true) {
                List<Endpoint> now = computeReady();
                if (!now.isEmpty()) return java.util.Optional.of(now.get(0));
                long left = deadline - System.nanoTime();
                if (left <= 0 || disabled || removed) return java.util.Optional.empty();
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** {@code service/instance} of every instance whose process may be alive. */
    public List<String> liveNames() {
        return locked(() -> instances.values().stream().filter(i -> i.state.live()).map(i -> spec.name() + "/" + i.id).toList());
    }

    private <T> T locked(java.util.function.Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** Counters kept since the agent started. */
    static final class Stats {
        long starts;
        long failures;
        String lastExit = "";
        String lastExitReason = "";
    }
}
