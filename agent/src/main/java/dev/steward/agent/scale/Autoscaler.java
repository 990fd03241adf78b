package dev.steward.agent.scale;

import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Backends;
import dev.steward.model.PolicyKind;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Looks at every dynamic service each {@link #TICK}: samples its demand, asks its {@link ScaleRule}
 * for a count, and tells the controller when the count changes. Runs on the agent's timer thread,
 * which owns the rules; the gateway's latency pressure reaches it through a concurrent set. It reads
 * published snapshots and posts counts; it never waits for a service's runner.
 */
public final class Autoscaler {
    public static final Duration TICK = Duration.ofMillis(200);
    private final Backends sup;
    private final Demand demand;
    private final LongSupplier nanos;
    private final Map<String, ScaleRule> rules = new HashMap<>();
    private final Set<String> pressured = ConcurrentHashMap.newKeySet();

    /** What other nodes run of a service, ready (in a cluster; none alone). */
    private final java.util.function.ToIntFunction<String> elsewhere;

    public Autoscaler(Backends sup, Demand demand, LongSupplier nanos) {
        this(sup, demand, nanos, service -> 0);
    }

    /**
     * In a cluster: the count it wants goes to the scheduler (through the service), which places it over the nodes,
     * so the instances it counts are this node's and those {@code elsewhere} gives (ready on other nodes).
     */
    public Autoscaler(Backends sup, Demand demand, LongSupplier nanos, java.util.function.ToIntFunction<String> elsewhere) {
        this.sup = sup;
        this.demand = demand;
        this.nanos = nanos;
        this.elsewhere = elsewhere;
    }

    public void start(ScheduledExecutorService timer) {
        timer.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The gateway found no instance of {@code service} under its soft latency. */
    public void pressure(String service) {
        pressured.add(service);
    }

    private long seenVersion = -1;
    private Map<String, Backend> dynamic = Map.of();

    void tick() {
        try {
            long v = sup.version();
            if (v != seenVersion) { // the dynamic services, looked for only when specs changed
                seenVersion = v;
                dynamic = sup.all().stream()
                        .filter(c -> c.spec().policy() == PolicyKind.DYNAMIC && !c.spec().isPingOnly())
                        .collect(Collectors.toMap(Backend::name, c -> (Backend) c));
                rules.keySet().retainAll(dynamic.keySet());
            }
            long now = nanos.getAsLong();
            for (Backend c : dynamic.values()) {
                ScaleRule rule = rules.computeIfAbsent(c.name(), k -> new ScaleRule());
                Demand.Meter m = demand.of(c.name());
                int live = c.live() + elsewhere.applyAsInt(c.name());
                if (pressured.remove(c.name())) rule.pressure(now, live, c.spec().instances());
                int want = rule.next(now, m.sample(), m.current(), live, c.spec().instances());
                if (want != c.scaled()) c.scaleTo(want);
            }
        } catch (RuntimeException e) {
            System.err.println("steward: autoscaler: " + e);
        }
    }
}
