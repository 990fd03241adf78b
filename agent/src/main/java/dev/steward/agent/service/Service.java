package dev.steward.agent.service;

import dev.steward.agent.health.PingPolicy;
import dev.steward.agent.instance.Context;
import dev.steward.agent.instance.Hooks;
import dev.steward.agent.instance.InstanceEvent;
import dev.steward.agent.instance.InstanceRunner;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.agent.store.InstanceRecord;
import dev.steward.agent.store.ServiceRecord;
import dev.steward.agent.traffic.Endpoint;
import dev.steward.model.Event;
import dev.steward.model.Health;
import dev.steward.model.InstanceState;
import dev.steward.model.PolicyKind;
import dev.steward.model.ServiceState;
import dev.steward.model.Spec;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The state of one service, touched only by its runner's thread: the spec, the inputs of the wanted
 * count, the instances. Each command changes the inputs, then {@link #reconcile} asks the pure
 * {@link Wanted} and {@link Planner} what to do and starts it; nothing here blocks.
 */
final class Service {
    /** An instance to pause or resume, as the runner names it to the thread that does it. */
    record Target(String instance, long generation, InstanceHandle handle) {}

    private final Context ctx;
    private final Needs needs;
    private final boolean custom;
    private final Consumer<Command> self;
    /** What the cluster's scheduler assigned (null alone). */
    private final Placed placed;
    /** What this node last told the scheduler it wants beyond the record (-1: nothing yet, so the first reconcile says it). */
    private int wantPublished = -1;
    private final Map<String, InstanceRunner> instances = new LinkedHashMap<>();
    private final RestartTracker restarts;
    private final Stats stats = new Stats();
    private ServiceRecord record;
    private Spec spec;
    /** Bumped when a change of spec changes what instances run: older instances are then replaced. */
    private int version;
    private Integer manual;
    private Integer recommended;
    private int references;
    private int scaled;
    private Instant lingerUntil = Instant.MIN;
    private boolean lingerCheckPending;
    private boolean disabled;
    private String disabledReason = "";
    private boolean holdingNeeds;
    private boolean removed;
    private boolean halting;
    private boolean detached;
    /** The endpoint of a ping-only service, or null. */
    private ExternalEndpoint external;
    /** The ping loops of the service's endpoints before {@link #external} (see {@link ExternalEndpoint#loops}). */
    private long pingLoops;
    private ServiceState announced = ServiceState.STOPPED;
    private Health announcedHealth = Health.UNKNOWN;

    Service(Context ctx, Needs needs, ServiceRecord record, Spec spec, boolean custom, Consumer<Command> self, Placed placed) {
        this.ctx = ctx;
        this.placed = placed;
        this.needs = needs;
        this.record = record;
        this.spec = spec;
        this.custom = custom;
        this.self = self;
        this.restarts = new RestartTracker(spec.restart());
        this.manual = record.count();
        this.external = spec.isPingOnly() ? new ExternalEndpoint(spec, 0) : null;
    }

    Context context() {
        return ctx;
    }

    /** The runner may end: the service was removed and nothing of it runs, or the agent is closing. */
    boolean finished() {
        return detached || removed && instances.isEmpty();
    }

    Object handle(Command c) {
        switch (c) {
            case Command.Start s -> start(s.count());
            case Command.Stop s -> stop();
            case Command.Halt h -> halting = true;
            case Command.Detach d -> {
                detached = true;
                instances.values().forEach(InstanceRunner::detach);
                if (external != null) external.remove();
                return null;
            }
            case Command.Remove r -> remove();
            case Command.Use u -> references++;
            case Command.Release r -> release();
            case Command.ScaleTo s -> scaled = s.count();
            case Command.Wake w -> scaled = Math.max(scaled, 1);
            case Command.Update u -> update(u.spec(), u.record());
            case Command.Activate a -> activate(a.stored());
            case Command.Adopt a -> instances.values().forEach(InstanceRunner::confirm);
            case Command.LingerCheck l -> lingerCheck();
            case Command.NeedsChanged n -> { }
            case Command.Reassigned r -> { }
            case Command.Targets t -> {
                return targets(t.from());
            }
            case Command.Report r -> react(r.event());
            case Command.Reports r -> r.events().forEach(this::react);
        }
        reconcile();
        return null;
    }

    // ---- commands --------------------------------------------------------------------------

    private void start(Integer count) {
        if (count != null) {
            manual = spec.policy() == PolicyKind.DYNAMIC ? spec.instances().clamp(count) : count;
            recommended = null;
        }
        disabled = false;
        disabledReason = "";
        restarts.reset();
        save(record.withEnabled(true, ctx.clock().millis()).withCount(manual, ctx.clock().millis()));
    }

    private void stop() {
        manual = null;
        scaled = 0;
        lingerUntil = Instant.MIN;
        save(record.withEnabled(false, ctx.clock().millis()).withCount(null, ctx.clock().millis()));
    }

    private void remove() {
        removed = true;
        if (external != null) external.remove();
    }

    private void release() {
        if (references == 0) return;
        if (--references > 0 || spec.policy() != PolicyKind.LINGERING) return;
        lingerUntil = ctx.clock().instant().plus(spec.linger());
        scheduleLingerCheck(spec.linger());
    }

    /** One pending check however many uses end: it looks again when the linger moved on. */
    private void scheduleLingerCheck(Duration after) {
        if (lingerCheckPending) return;
        lingerCheckPending = true;
        ctx.later(after.plusMillis(5), () -> self.accept(new Command.LingerCheck()));
    }

    private void lingerCheck() {
        lingerCheckPending = false;
        Duration left = Duration.between(ctx.clock().instant(), lingerUntil);
        if (!left.isNegative() && !left.isZero()) scheduleLingerCheck(left);
    }

    private void update(Spec next, ServiceRecord nextRecord) {
        if (changesWhatRuns(spec, next)) version++;
        if (!Objects.equals(spec.pingOnly(), next.pingOnly()) || !Objects.equals(spec.ping(), next.ping())) {
            // a ping-only service's endpoint or pings changed: pinged afresh (from the next reconcile) at the new one, its
            // loops numbered on from every earlier endpoint's, so that no late result of theirs passes for its own
            if (external != null) {
                pingLoops = external.loops();
                external.remove();
            }
            external = next.isPingOnly() ? new ExternalEndpoint(next, pingLoops) : null;
        }
        if (placed != null) manual = nextRecord.count(); // in a cluster the shared record rules: any node may have changed it
        if (!next.instances().equals(spec.instances())) manual = null; // the spec's count rules again
        spec = next;
        record = nextRecord.withCount(manual, nextRecord.updated());
        restarts.policy(next.restart());
        if (manual != null && spec.policy() == PolicyKind.DYNAMIC) manual = spec.instances().clamp(manual);
    }

    static boolean changesWhatRuns(Spec a, Spec b) {
        return !a.command().equals(b.command()) || !a.env().equals(b.env()) || !Objects.equals(a.dir(), b.dir())
                || !a.isolate().equals(b.isolate()) || !a.resources().equals(b.resources()) || !Objects.equals(a.image(), b.image());
    }

    private void activate(List<InstanceRecord> stored) {
        if (spec.isPingOnly()) return; // pinged from the next reconcile on, when started
        for (InstanceRecord r : stored) {
            if (r.port() > 0) ctx.ports().reserve(r.port());
            slot(r.id(), r.port()).restore(spec, version, r);
        }
    }

    private List<Target> targets(InstanceState from) {
        return instances.values().stream().filter(i -> i.state() == from && i.handle() != null)
                .map(i -> new Target(i.id(), i.generation(), i.handle())).toList();
    }

    private void save(ServiceRecord r) {
        record = r;
        ctx.writes().execute(() -> ctx.repo().save(r));
    }

    // ---- reports of work done elsewhere ---------------------------------------------------

    private void react(InstanceEvent e) {
        if (external != null && e instanceof InstanceEvent.Pinged p) {
            external.pinged(p);
            return;
        }
        InstanceRunner i = instances.get(e.instance());
        if (i == null || i.generation() != e.generation()) return; // of an earlier process
        // not a pattern switch: its first run makes a class for the call site (about 1 ms in a fresh agent), on the
        // path of the agent's first start on demand; RunnerTest checks that every kind of event has its branch
        if (e instanceof InstanceEvent.Spawned s) {
            stats.starts++;
            i.attach(s.handle(), "");
        } else if (e instanceof InstanceEvent.SpawnFailed f) {
            i.failedToStart(f.reason());
            ended(i, Duration.ZERO, true, "not started");
        } else if (e instanceof InstanceEvent.Adopted a) {
            a.handle().ifPresentOrElse(h -> i.attach(h, "adopted after an agent restart"), () -> {
                i.failedToStart("ended while the agent was down");
                i.restartAfter(Duration.ZERO);
            });
        } else if (e instanceof InstanceEvent.Exited x) {
            Duration ran = i.ran();
            if (i.exited(x.status())) forget(i);
            else ended(i, ran, !x.status().clean(), x.status().describe());
        } else if (e instanceof InstanceEvent.Pinged p) {
            pinged(i, p);
        } else if (e instanceof InstanceEvent.Drained) {
            i.terminate();
        } else if (e instanceof InstanceEvent.KillDue) {
            i.killLate();
        } else if (e instanceof InstanceEvent.RestartDue) {
            restartDue(i);
        } else if (e instanceof InstanceEvent.Moved m) {
            i.moved(m.to(), m.error());
        } else {
            throw new IllegalStateException("no branch for " + e.getClass().getSimpleName());
        }
    }

    /** An instance ended on its own (or never started): restart after the back-off, or disable the service. */
    private void ended(InstanceRunner i, Duration ran, boolean failed, String exit) {
        if (failed) stats.failures++;
        stats.lastExit = exit;
        stats.lastExitReason = i.reason();
        switch (restarts.ended(ctx.clock().instant(), ran, failed)) {
            case RestartTracker.Decision.Restart r -> i.restartAfter(r.after());
            case RestartTracker.Decision.Disable d -> {
                disabled = true;
                disabledReason = "failure limit reached: " + d.reason() + "; last: " + i.reason();
                forget(i);
                List.copyOf(instances.values()).forEach(o -> stopInstance(o, "the service is disabled"));
            }
        }
    }

    private void restartDue(InstanceRunner i) {
        if (i.stopRequested()) return;
        long counting = instances.values().stream().filter(InstanceRunner::counts).count();
        if (counting > wanted().count() || disabled) forget(i);
        else i.restart(spec, version);
    }

    private void pinged(InstanceRunner i, InstanceEvent.Pinged p) {
        if (i.state() != InstanceState.RUNNING || i.stopRequested() || spec.ping() == null) return;
        if (p.result().recommend() != null && spec.policy() == PolicyKind.DYNAMIC) recommended = p.result().recommend();
        if (i.vitals(PingPolicy.apply(spec.ping(), i.vitals(), p.result()))) i.kill(); // replaced when its exit comes
    }

    // ---- deciding and doing ---------------------------------------------------------------

    Wanted wanted() {
        // in a cluster, this node runs what the scheduler assigned to it
        return wanted(references, placed == null ? null : placed.count(spec.name()));
    }

    private Wanted wanted(int uses, Integer assigned) {
        boolean off = removed || halting || disabled || spec.isPingOnly() || spec.hasParts(); // parts: opened by hand
        boolean lingering = ctx.clock().instant().isBefore(lingerUntil);
        return new Wanted(spec.policy(), spec.instances(), off, record.enabled(), manual, recommended, uses, lingering, scaled, assigned);
    }

    /**
     * In a cluster: what this node's lingers, pings' recommendation and autoscaler want beyond what the record asks goes
     * to the scheduler, which places the most any node wants (0: nothing beyond). Uses are not counted: a request held
     * here asks the scheduler for an instance itself.
     */
    private void publishWant() {
        int own = wanted(0, null).count();
        int want = own > Placed.wanted(spec, record) ? own : 0;
        if (want == wantPublished) return;
        wantPublished = want;
        String name = spec.name();
        ctx.writes().execute(() -> placed.want(name, want));
    }

    private void reconcile() {
        if (placed != null) publishWant();
        // a ping-only service runs nothing (its wanted count is 0): instances left from a spec with a command are stopped
        if (spec.isPingOnly()) external.turn(record.enabled() && !halting, ctx, e -> self.accept(new Command.Report(e)));
        int wanted = wanted().count();
        holdNeeds(wanted > 0);
        List<Planner.Facts> facts = instances.values().stream()
                .map(i -> new Planner.Facts(i.id(), i.specVersion(), i.counts(), i.state() == InstanceState.RUNNING && i.vitals().ready()))
                .toList();
        for (Action a : Planner.plan(wanted, version, facts, needsMet())) {
            // not a pattern switch: its first run makes a class for the call site (about 1 ms in a fresh agent), and an
            // agent's first run of this one is on its first start on demand's path
            if (a instanceof Action.Start) slot(newId(), spec.hasPort() ? ctx.ports().allocate() : 0).spawn(spec, version);
            else if (a instanceof Action.Stop s) stopInstance(instances.get(s.instance()), s.reason());
            else throw new IllegalStateException("no such action: " + a);
        }
    }

    private InstanceRunner slot(String id, int port) {
        InstanceRunner i = new InstanceRunner(ctx, spec.name(), id, port, ctx.logFile(spec.name(), id),
                e -> self.accept(new Command.Report(e)), Hooks.standard());
        instances.put(id, i);
        return i;
    }

    private String newId() {
        String id;
        do {
            id = UUID.randomUUID().toString().substring(0, 8);
        } while (instances.containsKey(id));
        return id;
    }

    private void stopInstance(InstanceRunner i, String why) {
        if (i.stopRequested() && i.state() != InstanceState.PENDING && i.state() != InstanceState.FAILED) return;
        if (!i.stop(why)) forget(i);
    }

    private void forget(InstanceRunner i) {
        instances.remove(i.id());
        i.remove();
    }

    private boolean needsMet() {
        return spec.needs().stream().allMatch(needs::available);
    }

    /** Holds a reference on every needed service while this one wants instances (and until its last one ended). */
    private void holdNeeds(boolean hold) {
        if (hold == holdingNeeds) return;
        if (!hold && instances.values().stream().anyMatch(i -> i.state().live())) return;
        holdingNeeds = hold;
        for (String n : spec.needs()) {
            if (hold) needs.use(n);
            else needs.release(n);
        }
    }

    // ---- state out ------------------------------------------------------------------------

    Snapshot snapshot() {
        Wanted w = wanted();
        var stats = new ServiceView.Statistics(this.stats.starts, this.stats.failures, this.stats.lastExit, this.stats.lastExitReason, 0);
        if (external != null) {
            return new Snapshot(spec, record, custom, external.state(), external.vitals().health(), "", external.ready(), 0,
                    w.rule().words, references, 0, scaled, false, removed, external.instances(), stats);
        }
        var seen = instances.values().stream()
                .map(i -> new StateRules.Seen(i.state(), i.vitals().ready(), i.stopRequested(), i.vitals().health())).toList();
        var list = instances.values().stream()
                .map(i -> new Snapshot.Instance(i.id(), i.state(), i.vitals().health(), i.vitals().ready(), i.pid(), i.port(),
                        i.started(), i.restarts(), i.reason(), i.vitals().lastPing(), i.log(), i.handle()))
                .toList();
        var ready = instances.values().stream().filter(InstanceRunner::routable)
                .map(i -> new Endpoint(i.id(), ctx.ports().host(), i.port())).toList();
        int live = (int) instances.values().stream().filter(InstanceRunner::counts).count();
        int count = w.count();
        return new Snapshot(spec, record, custom, StateRules.state(disabled, count, seen), StateRules.health(seen),
                disabled ? disabledReason : "", ready, count, w.rule().words, references, live, scaled, disabled, removed, list, stats);
    }

    /** After a snapshot is published: a change of state or health becomes an event, and the services that need this one look again. */
    void announce(Snapshot s) {
        if (s.state() == announced && s.health() == announcedHealth) return;
        announced = s.state();
        announcedHealth = s.health();
        ctx.events().publish(new Event.ServiceChanged(ctx.clock().instant(), spec.name(), s.state(), s.health(), s.reason()));
        needs.changed(spec.name());
    }

    /** Counters kept since the agent started. */
    private static final class Stats {
        long starts;
        long failures;
        String lastExit = "";
        String lastExitReason = "";
    }
}
