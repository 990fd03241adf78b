package dev.steward.agent.metrics;

import dev.steward.agent.events.EventBus;
import dev.steward.agent.health.PingResult;
import dev.steward.model.Event;
import dev.steward.model.InstanceState;
import dev.steward.model.Version;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The agent's meters, scraped at {@code /metrics}: instances by service and state, starts, restarts
 * and failures (from the event bus), ping latency (from the pingers), the gateway's figures
 * ({@link ProxyStats}), the JVM's and the process's, and {@code steward_build_info}. Histograms have a
 * dozen buckets. A service's series go when it is unregistered. {@link Series} keeps the last hour of
 * each service's requests, latency and instances for the web UI.
 */
public final class Metrics implements AutoCloseable {
    /** Ping latency buckets: from a millisecond to ten seconds. */
    private static final Duration[] PING_BUCKETS = {Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(10)};
    /** Written by hand: the registry's Prometheus client keeps the {@code _info} suffix for a type of its own and drops it from a gauge. */
    private static final String BUILD_INFO = "# HELP steward_build_info The agent's version and build time, as labels\n# TYPE steward_build_info gauge\n"
            + "steward_build_info{version=\"" + ProxyStats.escape(Version.CURRENT) + "\",built=\"" + ProxyStats.escape(Version.BUILT) + "\"} 1\n";
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Supplier<Map<String, Map<InstanceState, Integer>>> instances;
    private final MultiGauge byState;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final ProxyStats proxy = new ProxyStats();
    private final Series series;

    /**
     * @param instances each service's instances by state
     * @param services  how many services are registered
     */
    public Metrics(java.time.Clock clock, EventBus bus, Supplier<Map<String, Map<InstanceState, Integer>>> instances, IntSupplier services) {
        this.instances = instances;
        this.series = new Series(clock, proxy::totals, instances);
        // the names Prometheus' own clients use, where the binders' would not pass its lint
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
                    }
                });
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            FunctionCounter.builder("process.cpu", sun, b -> b.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("CPU time used by the agent").register(registry);
        }
        byState = MultiGauge.builder("steward_instances").description("Instances by service and state").register(registry);
        Gauge.builder("steward_services", services::getAsInt).description("Registered services").register(registry);
        bus.listen(this::count);
    }

    /**
     * The JVM's and the process's own meters (memory, GC, threads, classes, CPU, uptime, descriptors).
     * The agent binds them once it serves: they are not needed for its first requests, and binding
     * them reads the platform's management beans, a noticeable part of a start.
     */
    public void bindRuntime() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    private void count(Event e) {
        if (e instanceof Event.InstanceChanged i) {
            if (i.state() == InstanceState.STARTING) {
                Counter.builder("steward_instance_starts").description("Instances started, restarts included").tag("service", i.service())
                        .register(registry).increment();
                if (i.restarts() > 0) {
                    Counter.builder("steward_instance_restarts").description("Instances started again after an exit").tag("service", i.service())
                            .register(registry).increment();
                }
            } else if (i.state() == InstanceState.FAILED) {
                Counter.builder("steward_instance_failures").description("Instances that failed").tag("service", i.service())
                        .register(registry).increment();
            }
        } else if (e instanceof Event.SpecChanged s && s.action().equals("unregistered")) {
            forget(s.service());
        }
    }

    /** A service gone: its series go with it. */
    private void forget(String service) {
        registry.find("steward_instance_starts").tag("service", service).meters().forEach(registry::remove);
        registry.find("steward_instance_restarts").tag("service", service).meters().forEach(registry::remove);
        registry.find("steward_instance_failures").tag("service", service).meters().forEach(registry::remove);
        registry.find("steward_ping_latency").tag("service", service).meters().forEach(registry::remove);
        proxy.forget(service);
    }

    public void pinged(String service, PingResult r) {
        Timer.builder("steward_ping_latency").description("Time a ping took").tag("service", service).tag("result", r.passed() ? "pass" : "fail")
                .serviceLevelObjectives(PING_BUCKETS).register(registry).record(r.latency());
    }

    /** One request through the gateway: counted by service and status class, its latency in the histogram. */
    public void proxied(String service, int status, long nanos) {
        proxy.record(service, status, nanos);
    }

    /** Each service's last hour at one-second resolution (the web UI's plots); its {@code sample()} is called every second. */
    public Series series() {
        return series;
    }

    /** Where other parts of the agent register their own meters (the functions'). */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        instances.get().forEach((service, states) -> {
            for (InstanceState s : InstanceState.values()) {
                rows.add(MultiGauge.Row.of(Tags.of("service", service, "state", s.wire()), states.getOrDefault(s, 0)));
            }
        });
        byState.register(rows, true);
        StringBuilder out = new StringBuilder(registry.scrape());
        proxy.scrape(out);
        out.append(BUILD_INFO);
        return out.toString();
    }

    @Override
    public void close() {
        gc.close();
    }
}
