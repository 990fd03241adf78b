package dev.steward.agent.dynamic;

import dev.steward.agent.errors.NotFoundException;
import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Backends;
import dev.steward.model.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The open instances of this node's dynamic services: opened, closed, listed, picked up again after an agent
 * restart; and, as {@link Backends}, what the gateway routes to by UUID.
 */
public final class Dynamics implements Backends {
    private final Shared shared;
    private final Function<String, Optional<Spec>> specs;
    private final Map<String, OpenInstance> open = new ConcurrentHashMap<>();
    private final Map<String, InstanceBackend> backends = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();
    private final Spares spares;

    /** @param specs a registered service's spec by name; @param tokens who a token's secret stands for */
    public Dynamics(dev.steward.agent.instance.Context ctx, dev.steward.agent.store.Store store, dev.steward.agent.isolate.NodeScope scope,
                    String domain, java.util.function.IntSupplier gatewayPort, Function<String, Optional<Spec>> specs,
                    Function<String, dev.steward.agent.auth.Tokens.Check> tokens) {
        this.shared = new Shared(ctx.clock(), ctx.events(), store, ctx.isolates(), new Netns(scope), ctx.dataDir(), domain, gatewayPort,
                dev.steward.model.Durations.parse(System.getProperty("steward.dynamic.ready-within", "60s")), ctx.stopGrace(), tokens);
        this.specs = specs;
        this.spares = new Spares(shared.netns(), Integer.getInteger("steward.dynamic.spares", 2));
        this.ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("steward-dynamic-upkeep").factory());
        ticker.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** How often the open instances are looked at for a checkpoint or an idle probe that is due. */
    private static final long TICK_MILLIS = 100;
    private final java.util.concurrent.ScheduledExecutorService ticker;

    private void tick() {
        var now = shared.clock().instant();
        for (OpenInstance i : open.values()) {
            i.tickIfDue(now, () -> {
                if (i.view().state().equals("complete")) forget(i); // closed for being idle
            });
        }
    }

    /** Why this node cannot open instances, or null. */
    public static String unavailable() {
        return Netns.unavailable();
    }

    /** How long after an open its spare namespaces are made again: its client's first request goes first. */
    private static final Duration SPARES_AFTER = Duration.ofMillis(100);

    /** Opens a new instance of {@code service} for {@code owner} and waits for its end state (running or failed). */
    public Object open(String service, String owner, Path inputs) {
        return open(service, owner, inputs, true);
    }

    /**
     * Opens a new instance; with {@code wait} answers once it is running or failed, else once its inputs are taken
     * (its steps and states then follow as events).
     */
    public Object open(String service, String owner, Path inputs, boolean wait) {
        Spec spec = specs.apply(service).orElseThrow(() -> new NotFoundException("no service '" + service + "'"));
        if (!spec.hasParts()) throw new IllegalArgumentException("service " + service + " has no parts (only a service with parts is opened)");
        String why = unavailable();
        if (why != null) throw new IllegalStateException(why);
        // a namespace made ahead (its UUID the instance's), else the open makes one; more are made once this open is over
        Optional<Spares.Spare> spare = spares.take();
        OpenInstance i = add(spec, spare.map(Spares.Spare::uuid).orElseGet(() -> UUID.randomUUID().toString()), owner);
        var opened = i.post(() -> Lifecycle.open(i, inputs, spare.orElse(null)));
        opened.whenComplete((v, e) -> spares.fillAfter(SPARES_AFTER));
        if (wait) return wait(opened);
        wait(i.inputsTaken.thenApply(x -> i.view()));
        return i.view();
    }

    /** New inputs for open instance {@code uuid}: in place of the old, the parts that ask for it started again. */
    public Object pushInputs(String uuid, Path dir) {
        OpenInstance i = instance(uuid);
        if (i.partsSpec().paths().inputs() == null) throw new IllegalArgumentException("service " + i.spec.name() + " has no paths.inputs");
        String[] failure = new String[1];
        OpenInstance.View v = wait(i.post(() -> {
            if (i.fixed != null || !i.view().state().equals("running")) {
                failure[0] = "instance " + uuid + " is " + i.view().state() + " (inputs are pushed to a running instance)";
                return;
            }
            try {
                Running.pushInputs(i, dir);
            } catch (Steps.Failed f) {
                // the view says it: the instance failed with the step and why
            }
        }));
        if (failure[0] != null) throw new dev.steward.agent.errors.ConflictException(failure[0]);
        return v;
    }

    /**
     * Packs the outputs folder of open instance {@code uuid} as it is now into {@code archive} (a .tar.gz), on the
     * instance's own thread so it is not removed meanwhile; how many entries were left out (links, special files).
     */
    public int packOutputs(String uuid, Path archive) {
        OpenInstance i = instance(uuid);
        String outputs = i.partsSpec().paths().outputs();
        if (outputs == null) throw new IllegalArgumentException("service " + i.spec.name() + " has no paths.outputs");
        int[] leftOut = {-1};
        String[] failure = new String[1];
        wait(i.post(() -> {
            Path from = i.root().resolve(outputs);
            if (!Files.isDirectory(from, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                failure[0] = "instance " + uuid + " is " + i.view().state() + " and has no outputs folder now"
                        + (i.fixed == null ? "" : " (its outputs were pushed when it closed or failed)");
                return;
            }
            try {
                leftOut[0] = DataFolders.pack(from, archive);
            } catch (java.io.IOException e) {
                failure[0] = "the outputs of " + uuid + " cannot be packed: " + e.getMessage();
            }
        }));
        if (failure[0] != null) throw new dev.steward.agent.errors.ConflictException(failure[0]);
        return leftOut[0];
    }

    private OpenInstance add(Spec spec, String uuid, String owner) {
        OpenInstance i = new OpenInstance(shared, spec, uuid, owner, version::incrementAndGet);
        open.put(uuid, i);
        backends.put(uuid, new InstanceBackend(i));
        version.incrementAndGet();
        return i;
    }

    /** Closes instance {@code uuid}, saving its state unless {@code save} is false; it is forgotten once closed. */
    public Object close(String uuid, boolean save) {
        OpenInstance i = instance(uuid);
        OpenInstance.View v = wait(i.post(() -> Lifecycle.close(i, save, "closed")));
        forget(i);
        return v;
    }

    private void forget(OpenInstance i) {
        open.remove(i.uuid);
        backends.remove(i.uuid);
        version.incrementAndGet();
        i.shutdown();
    }

    public OpenInstance.View view(String uuid) {
        return instance(uuid).view();
    }

    /** How many of each part's last log lines {@link #detail} shows. */
    private static final int LOG_LINES = 10;

    /** The view of {@code uuid} with each part's last log lines ({@code logs: {PART: [line, ...]}}), for the API. */
    public Map<String, Object> detail(String uuid) {
        OpenInstance i = instance(uuid);
        @SuppressWarnings("unchecked")
        Map<String, Object> out = new java.util.LinkedHashMap<>(dev.steward.agent.Json.MAPPER.convertValue(i.view(), Map.class));
        Map<String, List<String>> logs = new java.util.TreeMap<>();
        for (String part : i.partsSpec().parts().keySet()) {
            try {
                logs.put(part, dev.steward.agent.logs.LogFiles.tail(shared.log(i.spec.name(), uuid, part), LOG_LINES));
            } catch (java.io.IOException e) {
                logs.put(part, List.of("(its log cannot be read: " + e.getMessage() + ")"));
            }
        }
        out.put("logs", logs);
        return out;
    }

    /** Who opened {@code uuid}; for the API's and the gateway's checks. */
    public String owner(String uuid) {
        return instance(uuid).owner;
    }

    /** The administrators named by the instance's spec. */
    public List<String> administrators(String uuid) {
        return instance(uuid).spec.administrators();
    }

    private OpenInstance instance(String uuid) {
        OpenInstance i = open.get(uuid);
        if (i == null) throw new NotFoundException("no open instance " + uuid);
        return i;
    }

    /** The open instances of {@code service}, oldest first. */
    public List<OpenInstance.View> instances(String service) {
        return open.values().stream().map(OpenInstance::view).filter(v -> v.service().equals(service))
                .sorted(Comparator.comparing(OpenInstance.View::opened)).toList();
    }

    /** The open instances of a service with parts, oldest first, and the lowest of their states (null when none is open). */
    public record Opened(List<?> instances, String lowest) {}

    /**
     * The open instances of {@code service} and the lowest of their states (as an instance's is the lowest of its
     * parts'), read once; empty when it is not a service with parts.
     */
    public Optional<Opened> opened(String service) {
        if (!specs.apply(service).map(Spec::hasParts).orElse(false)) return Optional.empty();
        List<OpenInstance.View> list = instances(service);
        String lowest = list.isEmpty() ? null : dev.steward.model.DynamicState.lowest(list.stream()
                .map(o -> dev.steward.model.DynamicState.valueOf(o.state().toUpperCase(java.util.Locale.ROOT))).toList()).wire();
        return Optional.of(new Opened(list, lowest));
    }

    /**
     * At start: each recorded instance picked up again (or failed and removed), and namespaces of this scope nobody
     * records removed, spares a killed agent made too.
     */
    public void restore() {
        for (String json : shared.store().list(OpenRecord.PREFIX).values()) {
            OpenRecord r = OpenRecord.parse(json);
            Optional<Spec> spec = specs.apply(r.service()).filter(Spec::hasParts);
            if (spec.isEmpty()) { // its service is gone: what it left is removed below, with its record
                shared.store().delete(r.key());
                deleteQuietly(shared.root(r.uuid()));
                continue;
            }
            OpenInstance i = add(spec.get(), r.uuid(), r.owner());
            wait(i.post(() -> Lifecycle.adopt(i, r)));
        }
        try {
            for (String uuid : shared.netns().ours()) {
                if (!open.containsKey(uuid)) shared.netns().remove(shared.netns().prefix() + uuid, Netns.veth(uuid));
            }
            for (String uuid : shared.netns().spares()) shared.netns().remove(shared.netns().sparePrefix() + uuid, Netns.veth(uuid));
        } catch (java.io.IOException e) {
            System.err.println("steward: leftover namespaces: " + e.getMessage());
        }
    }

    /**
     * At the agent's close: with {@code closeInstances} (dev mode, where an agent's stop stops what it runs) every
     * instance is closed, its state saved; else they keep running, to be picked up by the next agent. The inboxes end.
     */
    public void close(boolean closeInstances) {
        if (closeInstances) {
            List<java.util.concurrent.CompletableFuture<OpenInstance.View>> closing = open.values().stream()
                    .map(i -> i.post(() -> Lifecycle.close(i, true, "closed: the agent stopped"))).toList();
            closing.forEach(f -> f.completeOnTimeout(null, 60, TimeUnit.SECONDS).join());
        }
        ticker.shutdownNow();
        spares.close();
        open.values().forEach(OpenInstance::shutdown);
    }

    private static void deleteQuietly(Path dir) {
        try {
            DataFolders.delete(dir);
        } catch (java.io.IOException e) {
            System.err.println("steward: cannot remove " + dir + ": " + e.getMessage());
        }
    }

    private static OpenInstance.View wait(java.util.concurrent.CompletableFuture<OpenInstance.View> f) {
        try {
            return f.get(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e.getCause() == null ? e.toString() : e.getCause().toString(), e);
        }
    }

    @Override
    public Optional<Backend> find(String name) {
        return Optional.ofNullable(backends.get(name));
    }

    @Override
    public Collection<? extends Backend> all() {
        return backends.values();
    }

    @Override
    public long version() {
        return version.get();
    }
}
