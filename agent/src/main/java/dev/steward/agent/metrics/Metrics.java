package dev.steward.agent.metrics;

import dev.steward.agent.events.EventBus;
import dev.steward.agent.health.PingResult;
import dev.steward.model.Event;
import dev.steward.model.InstanceState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** The agent's meters, fed by the event bus and the pingers, scraped at {@code /metrics}. */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /**
     * @param instances the instances by state, summed over every service
     * @param services  how many services are registered
     */
    public Metrics(EventBus bus, Supplier<Map<InstanceState, Integer>> instances, IntSupplier services) {
        for (InstanceState s : InstanceState.values()) {
            Gauge.builder("steward_instances", () -> instances.get().getOrDefault(s, 0))
                    .tag("state", s.wire()).description("Instances by state").register(registry);
        }
        Gauge.builder("steward_services", services::getAsInt).description("Registered services").register(registry);
        var heap = java.lang.management.ManagementFactory.getMemoryMXBean();
        Gauge.builder("steward_heap_used_bytes", () -> heap.getHeapMemoryUsage().getUsed()).description("The agent's heap in use").register(registry);
        Gauge.builder("steward_heap_max_bytes", () -> heap.getHeapMemoryUsage().getMax()).description("The agent's heap limit").register(registry);
        bus.listen(this::count);
    }

    private void count(Event e) {
        if (e instanceof Event.InstanceChanged i) {
            if (i.state() == InstanceState.STARTING) {
                Counter.builder("steward_instance_starts").tag("service", i.service()).register(registry).increment();
                if (i.restarts() > 0) Counter.builder("steward_instance_restarts").tag("service", i.service()).register(registry).increment();
            } else if (i.state() == InstanceState.FAILED) {
                Counter.builder("steward_instance_failures").tag("service", i.service()).register(registry).increment();
            }
        }
    }

    public void pinged(String service, PingResult r) {
        Timer.builder("steward_ping_latency").tag("service", service).tag("result", r.passed() ? "pass" : "fail")
                .publishPercentileHistogram().register(registry).record(r.latency());
    }

    /** One request through the gateway: counted by service and status class, timed into a histogram. */
    /** One request through the gateway: counted by status class, its latency in the histogram. */
    public void proxied(String service, int status, long nanos) {
        proxy.record(service, status, nanos);
    }

    private final ProxyStats proxy = new ProxyStats();

    public String scrape() {
        StringBuilder out = new StringBuilder(registry.scrape());
        proxy.scrape(out);
        return out.toString();
    }
}
