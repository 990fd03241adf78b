package dev.steward.agent.supervisor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.agent.Json;
import dev.steward.agent.store.ServiceRecord;
import dev.steward.model.InvalidSpecException;
import dev.steward.model.Kind;
import dev.steward.model.PolicyKind;
import dev.steward.model.Problem;
import dev.steward.model.ServiceState;
import dev.steward.model.Spec;
import dev.steward.model.SpecParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The registry of services and their controllers: register, modify, unregister, start, stop,
 * references, and start-up ordering by {@code needs}. Changes to the set of services are serialized
 * by one lock; each service's own state belongs to its controller.
 */
public final class Supervisor implements Needs {
    private final Context ctx;
    private final Map<String, ServiceController> services = new ConcurrentHashMap<>();
    /** Bumped at every register, modify and unregister, so that readers can cache what they derive from specs. */
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();
    private final ReentrantLock registry = new ReentrantLock();
    private final ReentrantLock availability = new ReentrantLock();
    private final Condition availabilityChanged = availability.newCondition();

    public Supervisor(Context ctx) {
        this.ctx = ctx;
    }

    public Context context() {
        return ctx;
    }

    /** Loads every stored service, adopts the instances that kept running and starts what should run. */
    public void load() {
        List<ServiceController> loaded = new ArrayList<>();
        for (ServiceRecord r : ctx.repo().services()) {
            Spec spec;
            try {
                spec = SpecParser.fromTree((ObjectNode) Json.tree(r.spec()), null).spec();
            } catch (InvalidSpecException e) {
                System.err.println("steward: stored spec of " + r.name() + " is no longer valid, skipped: " + e.getMessage());
                continue;
            }
            ServiceController c = new ServiceController(ctx, this, r, spec, false);
            services.put(r.name(), c);
            loaded.add(c);
        }
        java.util.Set<String> keep = new java.util.HashSet<>();
        for (ServiceController c : loaded) {
            c.adopt(ctx.repo().instances(c.name()));
            keep.addAll(c.liveNames());
            c.activate();
        }
        // What an earlier agent left that nobody adopted (cgroups of instances that died) goes.
        ctx.isolates().cleanup(keep);
    }

    // ---- registry ---------------------------------------------------------------------------

    /** Stores a new service; refused when the name is taken. Permanent and dynamic services start. */
    public ServiceView register(SpecParser.Parsed p, String owner, boolean custom) {
        Spec spec = p.spec();
        requireService(spec);
        ServiceController c;
        registry.lock();
        try {
            if (services.containsKey(spec.name())) throw new ConflictException("service " + spec.name() + " is already registered (use modify or apply)");
            checkNeeds(spec);
            long now = ctx.clock().millis();
            boolean autostart = spec.policy() == PolicyKind.PERMANENT || spec.policy() == PolicyKind.DYNAMIC || custom;
            ServiceRecord r = new ServiceRecord(spec.name(), SpecParser.toJson(p.source()), autostart, UUID.randomUUID().toString(), owner, now, now);
            if (!custom) ctx.repo().save(r);
            c = new ServiceController(ctx, this, r, spec, custom);
            services.put(spec.name(), c);
        } finally {
            registry.unlock();
        }
        version.incrementAndGet();
        ctx.events().publish(new dev.steward.model.Event.SpecChanged(ctx.clock().instant(), spec.name(), "registered"));
        c.activate();
        c.reconcileLocked();
        return c.view();
    }

    /** Replaces the spec of a registered service. */
    public ServiceView modify(String name, SpecParser.Parsed p) {
        Spec spec = p.spec();
        requireService(spec);
        if (!spec.name().equals(name)) throw new InvalidSpecException("name", "'" + spec.name() + "' does not match the service '" + name + "' (a service cannot be renamed)");
        ServiceController c;
        registry.lock();
        try {
            c = controller(name);
            checkNeeds(spec);
            ServiceRecord r = c.record().withSpec(SpecParser.toJson(p.source()), ctx.clock().millis());
            if (!c.custom()) ctx.repo().save(r);
            c.update(spec, r);
        } finally {
            registry.unlock();
        }
        version.incrementAndGet();
        ctx.events().publish(new dev.steward.model.Event.SpecChanged(ctx.clock().instant(), name, "modified"));
        return c.view();
    }

    /** Registers or modifies, then brings the service to its policy's state. */
    public ServiceView apply(SpecParser.Parsed p, String owner) {
        String name = p.spec().name();
        if (!services.containsKey(name)) return register(p, owner, false);
        modify(name, p);
        PolicyKind policy = p.spec().policy();
        if (policy == PolicyKind.PERMANENT || policy == PolicyKind.DYNAMIC) controller(name).start(null);
        return view(name);
    }

    public void unregister(String name, Duration wait) {
        ServiceController c;
        registry.lock();
        try {
            c = controller(name);
            List<String> dependents = services.values().stream().filter(s -> s.spec().needs().contains(name)).map(ServiceController::name).sorted().toList();
            if (!dependents.isEmpty()) throw new ConflictException("service " + name + " is needed by " + String.join(", ", dependents) + "; unregister those first");
            services.remove(name);
            if (!c.custom()) ctx.repo().remove(name);
        } finally {
            registry.unlock();
        }
        version.incrementAndGet();
        c.remove(wait);
        ctx.events().publish(new dev.steward.model.Event.SpecChanged(ctx.clock().instant(), name, "unregistered"));
    }

    private void requireService(Spec spec) {
        if (spec.kind() != Kind.SERVICE) throw new InvalidSpecException("kind", "'" + spec.kind().wire() + "' specs are run with 'steward job run', not registered as services");
        requireIsolate(spec);
    }

    /** Refuses a spec whose isolate this node cannot run, or whose code cannot be spooled. */
    void requireIsolate(Spec spec) {
        try {
            ctx.workDir(spec);
        } catch (dev.steward.agent.spool.SpoolException e) {
            throw new InvalidSpecException("dir", e.getMessage());
        }
        try {
            ctx.isolates().of(spec.isolate());
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("isolate", e.getMessage());
        }
    }

    private void checkNeeds(Spec spec) {
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < spec.needs().size(); i++) {
            String n = spec.needs().get(i);
            if (!services.containsKey(n)) problems.add(new Problem("needs[" + i + "]", "no service '" + n + "' is registered"));
        }
        if (!problems.isEmpty()) throw new InvalidSpecException(problems);
        // The changed spec first, so that a cycle is told from its point of view.
        Map<String, List<String>> graph = new java.util.LinkedHashMap<>();
        graph.put(spec.name(), spec.needs());
        services.values().forEach(s -> graph.putIfAbsent(s.name(), s.spec().needs()));
        List<String> cycle = NeedsGraph.cycle(graph);
        if (cycle != null) throw new InvalidSpecException("needs", "a cycle: " + String.join(" -> ", cycle));
    }

    // ---- commands ---------------------------------------------------------------------------

    public ServiceController controller(String name) {
        ServiceController c = services.get(name);
        if (c == null) throw new NotFoundException("no service '" + name + "' is registered");
        return c;
    }

    public ServiceView view(String name) {
        return controller(name).view();
    }

    public List<ServiceView> views() {
        return services.values().stream().map(ServiceController::view)
                .sorted(java.util.Comparator.comparing(ServiceView::name)).toList();
    }

    public long version() {
        return version.get();
    }

    public Collection<ServiceController> controllers() {
        return services.values();
    }

    /** Stops a custom service's instances and forgets it; a registered one only stops. */
    public void stop(String name) {
        ServiceController c = controller(name);
        c.stop();
        if (c.custom()) {
            Thread.ofVirtual().start(() -> {
                c.awaitStopped(Duration.ofMinutes(1));
                services.remove(name, c);
            });
        }
    }

    // ---- needs ------------------------------------------------------------------------------

    @Override
    public boolean available(String service) {
        ServiceController c = services.get(service);
        return c != null && c.currentState() == ServiceState.AVAILABLE;
    }

    @Override
    public boolean use(String service) {
        ServiceController c = services.get(service);
        if (c == null) return false;
        c.use();
        return true;
    }

    @Override
    public void release(String service) {
        ServiceController c = services.get(service);
        if (c != null) c.release();
    }

    @Override
    public void changed(String service) {
        for (ServiceController c : services.values()) {
            if (c.spec().needs().contains(service)) c.reconcileLocked();
        }
        availability.lock();
        try {
            availabilityChanged.signalAll();
        } finally {
            availability.unlock();
        }
    }

    /** Waits until every service in {@code names} is available; false at the deadline. */
    public boolean awaitAvailable(List<String> names, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        availability.lock();
        try {
            while (!names.stream().allMatch(this::available)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                availabilityChanged.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            availability.unlock();
        }
    }

    /** Stops watching; instances keep running so that the next agent adopts them. */
    public void detach() {
        services.clear();
    }
}
