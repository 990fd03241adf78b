package dev.steward.agent.supervisor;

import dev.steward.agent.events.EventBus;
import dev.steward.agent.isolate.Isolates;
import dev.steward.agent.store.StateRepository;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** What every service controller shares: the clock, isolate, ports, pinger, events, store and timers. */
public record Context(Clock clock, Isolates isolates, PortAllocator ports, Pinger pinger, EventBus events,
                      StateRepository repo, ScheduledExecutorService timer, Path dataDir, String node, Duration stopGrace,
                      java.util.function.BiConsumer<String, PingResult> pingListener, dev.steward.agent.spool.Spooler spooler,
                      dev.steward.agent.gateway.InFlight inFlight) {

    /** Where a spec's instances run: its dir, unpacked when it is an archive, else the data dir. */
    public Path workDir(dev.steward.model.Spec spec) {
        return spec.dir() == null ? dataDir : spooler.spool(Path.of(spec.dir()));
    }

    /** Runs {@code task} on a new virtual thread after {@code delay}. */
    public void later(Duration delay, Runnable task) {
        if (delay.isZero() || delay.isNegative()) {
            Thread.ofVirtual().start(task);
        } else {
            timer.schedule(() -> Thread.ofVirtual().start(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    public Path logFile(String service, String instance) {
        return dataDir.resolve("logs").resolve(service).resolve(instance + ".log");
    }
}
