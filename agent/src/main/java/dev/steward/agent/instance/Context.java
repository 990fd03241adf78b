package dev.steward.agent.instance;

import dev.steward.agent.events.EventBus;
import dev.steward.agent.health.PingResult;
import dev.steward.agent.health.Pinger;
import dev.steward.agent.isolate.Isolates;
import dev.steward.agent.spool.Spooler;
import dev.steward.agent.store.StateRepository;
import dev.steward.agent.traffic.InFlight;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * What every service's runner and instance share: the clock and timers (both manual in tests),
 * isolates, ports, pinger, events, the store (read directly, written through {@code writes}, one
 * writer in order), settings, the stamper that copies instances' output into their logs, and where a
 * starting instance's first passed ping is told to the requests held for it.
 */
public record Context(Clock clock, Isolates isolates, PortAllocator ports, Pinger pinger, EventBus events,
                      StateRepository repo, Executor writes, Timers timers, Path dataDir, String node,
                      Duration stopGrace, BiConsumer<String, PingResult> pingListener, Spooler spooler, InFlight inFlight,
                      dev.steward.agent.isolate.RunAs runAs, dev.steward.agent.logs.LogStamper stamps,
                      dev.steward.agent.traffic.Readiness readiness) {

    /** Where a spec's instances run: its dir, unpacked when it is an archive, else the data dir. */
    public Path workDir(dev.steward.model.Spec spec) {
        return spec.dir() == null ? dataDir : spooler.spool(Path.of(spec.dir()));
    }

    /** Runs {@code task}, which must be short (a post to an inbox), after {@code delay}. */
    public void later(Duration delay, Runnable task) {
        if (delay.isZero() || delay.isNegative()) task.run();
        else timers.after(delay, task);
    }

    public Path logFile(String service, String instance) {
        return dataDir.resolve("logs").resolve(service).resolve(instance + ".log");
    }
}
