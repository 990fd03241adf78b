package dev.steward.agent.dynamic;

import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.model.DynamicState;
import dev.steward.model.Event;
import dev.steward.model.Parts;
import dev.steward.model.Spec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One opened instance of a dynamic service. Its mutable state is touched only by its own virtual thread, which
 * takes commands (open, close, adopt, a part's exit) from its inbox one at a time and runs the lifecycle's
 * named steps ({@link Lifecycle}); everyone else reads the published {@link View}.
 */
final class OpenInstance {
    /** What the API shows and the gateway reads. */
    record View(String uuid, String service, String owner, String state, String reason, Map<String, String> parts,
                Map<String, Integer> restarts, String url, String path, String address, int port, String opened, boolean routed) {}

    final Shared shared;
    final Spec spec;
    final String uuid;
    final String owner;
    final Steps steps;
    final PartProcs procs;
    private final ExecutorService inbox;
    private final Runnable changed;

    // owned by the inbox's thread
    Netns.Net net;
    Spares.Spare spare; // a namespace made ahead for this UUID, until the open takes it as its own
    String isolate;
    String opened;
    final Map<String, InstanceHandle> handles = new LinkedHashMap<>();
    final Map<String, DynamicState> parts = new LinkedHashMap<>();
    boolean routed;
    DynamicState fixed; // failed, stopping or complete: over the parts' own
    String reason = "";
    boolean stateInPlace; // the state folders were restored (or adopted): they may be saved
    java.time.Instant nextCheckpoint; // null: no state-save interval, or not running
    java.time.Instant nextIdleProbe; // null: no idle probe, or not running
    String probeFailure; // the idle probe's last failure, reported once
    final Map<String, java.util.ArrayDeque<java.time.Instant>> failures = new LinkedHashMap<>(); // each part's recent ends, for its restart settings
    final Map<String, Integer> restarts = new java.util.TreeMap<>(); // how often each part was started again after it ended
    final Map<String, java.time.Instant> restartDue = new LinkedHashMap<>(); // the parts waiting out their back-off, and until when
    /** Completes once the inputs given at open were taken (copied in, or the open ended before). */
    final CompletableFuture<Void> inputsTaken = new CompletableFuture<>();

    /** When the instance's own thread next has upkeep to do (a checkpoint, an idle probe); null: none. */
    private volatile java.time.Instant due;
    private final java.util.concurrent.atomic.AtomicBoolean ticking = new java.util.concurrent.atomic.AtomicBoolean();

    private volatile View view;

    OpenInstance(Shared shared, Spec spec, String uuid, String owner, Runnable changed) {
        this.shared = shared;
        this.spec = spec;
        this.uuid = uuid;
        this.owner = owner;
        this.changed = changed;
        this.steps = new Steps(shared.bus(), shared.clock(), spec.name(), uuid);
        this.procs = new PartProcs(shared, spec.name(), uuid);
        this.inbox = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("steward-open-" + uuid).factory());
        this.opened = shared.clock().instant().toString();
        spec.parts().parts().keySet().stream().sorted().forEach(p -> parts.put(p, DynamicState.PENDING));
        publish("");
    }

    View view() {
        return view;
    }

    Path root() {
        return shared.root(uuid);
    }

    Parts partsSpec() {
        return spec.parts();
    }

    /** Runs {@code task} on the instance's own thread; the future completes with the view after it. */
    CompletableFuture<View> post(Runnable task) {
        return CompletableFuture.supplyAsync(() -> {
            task.run();
            return view;
        }, inbox);
    }

    DynamicState state() {
        return fixed != null ? fixed : DynamicState.lowest(parts.values());
    }

    /** Publishes the view, and an event when the state changed. On the inbox's thread only. */
    void publish(String why) {
        View before = view;
        DynamicState s = state();
        if (!why.isEmpty()) reason = why;
        view = new View(uuid, spec.name(), owner, s.wire(), reason, Collections.unmodifiableMap(wire(parts)), Map.copyOf(restarts), shared.url(uuid),
                "/x/" + uuid + "/", net == null ? null : net.address(), partsSpec().port(), opened, routed && s == DynamicState.RUNNING);
        if (before == null || !before.state().equals(view.state())) {
            shared.bus().publish(new Event.DynamicChanged(shared.clock().instant(), spec.name(), uuid, s, reason));
        }
        if (before == null || before.routed() != view.routed()) changed.run();
    }

    private static Map<String, String> wire(Map<String, DynamicState> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.wire()));
        return out;
    }

    /** The record a restarted agent picks the instance up from. */
    OpenRecord record() {
        Map<String, OpenRecord.Proc> procsNow = new LinkedHashMap<>();
        handles.forEach((p, h) -> {
            Parts.Part part = partsSpec().parts().get(p);
            procsNow.put(p, new OpenRecord.Proc(h.pid(), h.startTicks(), part != null && part.container() ? "container" : null));
        });
        Map<String, OpenRecord.Waiting> waiting = new LinkedHashMap<>();
        restartDue.forEach((p, due) -> waiting.put(p, new OpenRecord.Waiting(due.toString(),
                failures.getOrDefault(p, new java.util.ArrayDeque<>()).stream().map(java.time.Instant::toString).toList())));
        return new OpenRecord(uuid, spec.name(), owner, opened, net == null ? null : net.name(), net == null ? null : net.veth(),
                net == null ? null : net.address(), partsSpec().port(), procsNow, isolate, waiting);
    }

    void save() {
        shared.store().put(OpenRecord.PREFIX + uuid, record().json());
    }

    /** Watches a part's end: it comes back to the inbox, where the part is started again or the instance fails ({@link Running#partEnded}). */
    void watch(String part, InstanceHandle h) {
        h.exit().thenAccept(status -> later(java.time.Duration.ZERO, () -> {
            if (handles.get(part) != h || fixed != null) return;
            Running.partEnded(this, part, "part " + part + " exited: " + status.describe());
        }));
    }

    /** Runs {@code task} on the instance's own thread after {@code delay}; not at all once the instance is closed and its inbox shut. */
    void later(java.time.Duration delay, Runnable task) {
        java.util.concurrent.Executor onInbox = r -> {
            try {
                inbox.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile: nothing is left to do
            }
        };
        if (delay.isZero()) onInbox.execute(task);
        else CompletableFuture.delayedExecutor(delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS, onInbox).execute(task);
    }

    /** Sets when the next checkpoint and idle probe are due, from now; none while the instance is not running. */
    void schedule() {
        java.time.Instant now = shared.clock().instant();
        Parts p = partsSpec();
        boolean on = fixed == null;
        nextCheckpoint = on && p.paths().stateSave() != null && stateInPlace ? now.plus(p.paths().stateSave()) : null;
        nextIdleProbe = on && p.idle() != null && routed ? now.plus(p.idle().interval()) : null;
        rescheduled();
    }

    /** Publishes the earliest upkeep due, for the ticker. */
    void rescheduled() {
        java.time.Instant a = nextCheckpoint, b = nextIdleProbe;
        due = a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    /** Posts the upkeep when it is due and none is under way; {@code after} runs on the instance's thread once it is done. */
    void tickIfDue(java.time.Instant now, Runnable after) {
        java.time.Instant d = due;
        if (d == null || now.isBefore(d) || !ticking.compareAndSet(false, true)) return;
        try {
            inbox.execute(() -> {
                try {
                    Running.upkeep(this);
                    after.run();
                } finally {
                    ticking.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ticking.set(false); // shut down: closed meanwhile
        }
    }

    List<String> partNamesInOrder() {
        List<String> names = new ArrayList<>();
        partsSpec().startOrder().forEach(p -> names.add(p.name()));
        return names;
    }

    void shutdown() {
        inbox.shutdown();
    }
}
