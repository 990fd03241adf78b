package dev.steward.agent.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.agent.Json;
import dev.steward.agent.errors.ConflictException;
import dev.steward.agent.errors.NotFoundException;
import dev.steward.agent.instance.Context;
import dev.steward.agent.store.InstanceRecord;
import dev.steward.agent.store.ServiceRecord;
import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Backends;
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
 * The registry of services and their runners: register, modify, unregister, start, stop,
 * references, and start-up ordering by {@code needs}. Changes to the set of services are serialized
 * by one lock (never taken by the data plane); each service's own state belongs to its runner.
 */
public final class Registry implements Needs, Backends {
    private final Context ctx;
    private final Map<String, ServiceRunner> services = new ConcurrentHashMap<>();
    /** Bumped at every register, modify and unregister, so that readers can cache what they derive from specs. */
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();
    private final ReentrantLock registry = new ReentrantLock();
    /** The instances ({@code service/instance}) the stored records named at start. */
    private final java.util.Set<String> restored = ConcurrentHashMap.newKeySet();
    private final ReentrantLock availability = new ReentrantLock();
    private final Condition availabilityChanged = availability.newCondition();

    /** In a cluster, what the scheduler assigned to this node (it rules how many instances run here); null alone. */
    private final Placed placed;

    public Registry(Context ctx) {
        this(ctx, null);
    }

    public Registry(Context ctx, Placed placed) {
        this.ctx = ctx;
        this.placed = placed;
    }

    public Context context() {
        return ctx;
    }

    /** Loads every stored service and adopts what earlier agents left ({@link #restore}, then {@link #adoptAll}). */
    public void load() {
        restore();
        adoptAll();
    }

    /**
     * Loads every stored service and starts what should run; the instances a record names are routed
     * at once, as they were, and only confirmed by {@link #adoptAll}, so the agent serves within
     * moments however many there are.
     */
    public void restore() {
        for (ServiceRecord r : ctx.repo().services()) {
            Spec spec = storedSpec(r);
            if (spec == null) continue;
            List<InstanceRecord> stored = ctx.repo().instances(r.name());
            stored.forEach(i -> restored.add(r.name() + "/" + i.id()));
            ServiceRunner runner = new ServiceRunner(ctx, this, r, spec, r.custom(), placed);
            services.put(r.name(), runner);
            runner.activate(stored);
        }
    }

    /** The spec a record holds, or null (told on stderr) when it is no longer valid. */
    public static Spec storedSpec(ServiceRecord r) {
        try {
            return SpecParser.fromTree((ObjectNode) Json.tree(r.spec()), null).spec();
        } catch (InvalidSpecException e) {
            System.err.println("steward: stored spec of " + r.name() + " is no longer valid, skipped: " + e.getMessage());
            return null;
        }
    }

    /**
     * Removes what earlier agents of this node left that no record names (it never touches what this
     * agent runs or is starting), then has every restored instance confirmed by its isolate; those that
     * died meanwhile are started again.
     */
    public void adoptAll() {
        ctx.isolates().cleanup(java.util.Set.copyOf(restored));
        services.values().forEach(ServiceRunner::adopt);
    }

    /**
     * Follows what other nodes register, modify and unregister (the store's watch), and what the
     * scheduler assigns: each service runs here as many instances as it assigned to this node.
     */
    public AutoCloseable follow() {
        AutoCloseable specs = ctx.repo().watchServices(this::storedElsewhere);
        if (placed == null) return specs;
        AutoCloseable assignments = placed.watch(name -> {
            ServiceRunner r = services.get(name);
            if (r != null) r.reassigned();
        });
        return () -> {
            specs.close();
            assignments.close();
        };
    }

    private void storedElsewhere(String name, java.util.Optional<ServiceRecord> stored) {
        ServiceRunner gone = null;
        ServiceRunner added = null;
        registry.lock();
        try {
            ServiceRunner known = services.get(name);
            if (stored.isEmpty()) {
                if (known == null) return; // removed here already
                services.remove(name);
                gone = known;
            } else {
                ServiceRecord r = stored.get();
                if (known != null && known.record().equals(r)) return; // our own write, or nothing new
                Spec spec = storedSpec(r);
                if (spec == null) return;
                if (known != null) known.update(spec, r);
                else services.put(name, added = new ServiceRunner(ctx, this, r, spec, r.custom(), placed));
            }
        } finally {
            registry.unlock();
        }
        version.incrementAndGet();
        if (added != null) added.activate(List.of());
        if (gone != null) gone.remove(Duration.ZERO);
        String what = gone != null ? "unregistered" : added != null ? "registered" : "modified";
        ctx.events().publish(new dev.steward.model.Event.SpecChanged(ctx.clock().instant(), name, what));
    }

    // ---- registry ---------------------------------------------------------------------------

    /** Stores a new service; refused when the name is taken. Permanent and dynamic services start. */
    public ServiceView register(SpecParser.Parsed p, String owner, boolean custom) {
        Spec spec = p.spec();
        requireService(spec);
        ServiceRunner c;
        registry.lock();
        try {
            if (services.containsKey(spec.name())) throw new ConflictException("service " + spec.name() + " is already registered (use modify or apply)");
            checkNeeds(spec);
            long now = ctx.clock().millis();
            boolean autostart = spec.policy() == PolicyKind.PERMANENT || spec.policy() == PolicyKind.DYNAMIC || custom;
            ServiceRecord r = new ServiceRecord(spec.name(), SpecParser.toJson(p.source()), autostart, UUID.randomUUID().toString(), owner, now, now);
            if (custom) r = r.asCustom();
            // a custom one too, so that an agent restarted meanwhile still knows what it runs; only if no node stored it first
            if (placed == null) ctx.repo().save(r);
            else if (!ctx.repo().create(r)) throw new ConflictException("service " + spec.name() + " is already registered (through another node)");
            c = new ServiceRunner(ctx, this, r, spec, custom, placed);
            services.put(spec.name(), c);
        } finally {
            registry.unlock();
        }
        version.incrementAndGet();
        ctx.events().publish(new dev.steward.model.Event.SpecChanged(ctx.clock().instant(), spec.name(), "registered"));
        c.activate(List.of());
        return c.view();
    }

    /** Replaces the spec of a registered service. */
    public ServiceView modify(String name, SpecParser.Parsed p) {
        Spec spec = p.spec();
        requireService(spec);
        if (!spec.name().equals(name)) throw new InvalidSpecException("name", "'" + spec.name() + "' does not match the service '" + name + "' (a service cannot be renamed)");
        ServiceRunner c;
        registry.lock();
        try {
            c = runner(name);
            checkNeeds(spec);
            ServiceRecord r = c.record().withSpec(SpecParser.toJson(p.source()), ctx.clock().millis());
            ctx.repo().save(r);
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
        if (policy == PolicyKind.PERMANENT || policy == PolicyKind.DYNAMIC) runner(name).start(null);
        return view(name);
    }

    public void unregister(String name, Duration wait) {
        ServiceRunner c;
        registry.lock();
        try {
            c = runner(name);
            List<String> dependents = services.values().stream().filter(s -> s.spec().needs().contains(name)).map(ServiceRunner::name).sorted().toList();
            if (!dependents.isEmpty()) throw new ConflictException("service " + name + " is needed by " + String.join(", ", dependents) + "; unregister those first");
            services.remove(name);
            ctx.repo().remove(name);
        } finally {
            registry.unlock();
        }
        version.incrementAndGet();
        c.remove(wait);
        forgetWhenWritten(name);
        ctx.events().publish(new dev.steward.model.Event.SpecChanged(ctx.clock().instant(), name, "unregistered"));
    }

    private void requireService(Spec spec) {
        if (spec.kind() != Kind.SERVICE) throw new InvalidSpecException("kind", "'" + spec.kind().wire() + "' specs are run with 'steward job run', not registered as services");
        requireIsolate(spec);
    }

    /** Refuses a spec whose isolate this node cannot run, or whose code cannot be spooled. */
    public void requireIsolate(Spec spec) {
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

    public boolean has(String name) {
        return services.containsKey(name);
    }

    public ServiceRunner runner(String name) {
        ServiceRunner c = services.get(name);
        if (c == null) throw new NotFoundException("no service '" + name + "' is registered");
        return c;
    }

    public ServiceView view(String name) {
        return runner(name).view();
    }

    public List<ServiceView> views() {
        return services.values().stream().map(ServiceRunner::view)
                .sorted(java.util.Comparator.comparing(ServiceView::name)).toList();
    }

    public long version() {
        return version.get();
    }

    public Collection<ServiceRunner> runners() {
        return services.values();
    }

    /** Each service's instances by state, for metrics. */
    public Map<String, Map<dev.steward.model.InstanceState, Integer>> countByService() {
        Map<String, Map<dev.steward.model.InstanceState, Integer>> all = new java.util.TreeMap<>();
        services.forEach((name, r) -> all.put(name, r.countByState()));
        return all;
    }

    @Override
    public java.util.Optional<Backend> find(String name) {
        return java.util.Optional.ofNullable(services.get(name));
    }

    @Override
    public Collection<? extends Backend> all() {
        return services.values();
    }

    /** Stops a custom service's instances and forgets it; a registered one only stops. */
    public void stop(String name) {
        ServiceRunner c = runner(name);
        c.stop();
        if (c.custom()) {
            Thread.ofVirtual().start(() -> {
                c.awaitStopped(Duration.ofMinutes(1));
                if (services.remove(name, c)) {
                    version.incrementAndGet();
                    c.detach();
                    forgetWhenWritten(name);
                }
            });
        }
    }

    /** Removes a service's records once the writes its runner queued are done, so that none of them brings it back. */
    private void forgetWhenWritten(String name) {
        ctx.writes().execute(() -> ctx.repo().remove(name));
    }

    // ---- needs ------------------------------------------------------------------------------

    @Override
    public boolean available(String service) {
        ServiceRunner c = services.get(service);
        return c != null && c.state() == ServiceState.AVAILABLE;
    }

    @Override
    public boolean use(String service) {
        ServiceRunner c = services.get(service);
        if (c == null) return false;
        c.use();
        return true;
    }

    @Override
    public void release(String service) {
        ServiceRunner c = services.get(service);
        if (c != null) c.release();
    }

    @Override
    public void changed(String service) {
        for (ServiceRunner c : services.values()) {
            if (c.spec().needs().contains(service)) c.needsChanged();
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

    /** Writes this node's instance records again where they differ from what runs (writes lost while the cluster's store was away). */
    public void republish() {
        Republish.all(ctx, List.copyOf(services.values()));
    }

    /** Stops watching; instances keep running so that the next agent adopts them. */
    public void detach() {
        services.values().forEach(ServiceRunner::detach);
        services.clear();
    }
}
