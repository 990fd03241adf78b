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
                String url, String path, String address, int port, String opened, boolean routed) {}

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
    String isolate;
    String opened;
    final Map<String, InstanceHandle> handles = new LinkedHashMap<>();
    final Map<String, DynamicState> parts = new LinkedHashMap<>();
    boolean routed;
    DynamicState fixed; // failed, stopping or complete: over the parts' own
    String reason = "";

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
        view = new View(uuid, spec.name(), owner, s.wire(), reason, Collections.unmodifiableMap(wire(parts)), shared.url(uuid),
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
        handles.forEach((p, h) -> procsNow.put(p, new OpenRecord.Proc(h.pid(), h.startTicks())));
        return new OpenRecord(uuid, spec.name(), owner, opened, net == null ? null : net.name(), net == null ? null : net.veth(),
                net == null ? null : net.address(), partsSpec().port(), procsNow, isolate);
    }

    void save() {
        shared.store().put(OpenRecord.PREFIX + uuid, record().json());
    }

    /** Watches a part's end: it comes back to the inbox. */
    void watch(String part, InstanceHandle h) {
        h.exit().thenAccept(status -> inbox.execute(() -> {
            if (handles.get(part) != h || fixed != null) return;
            parts.put(part, DynamicState.FAILED);
            publish("part " + part + " exited: " + status);
        }));
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
