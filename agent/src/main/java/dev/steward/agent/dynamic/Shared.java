package dev.steward.agent.dynamic;

import dev.steward.agent.events.EventBus;
import dev.steward.agent.isolate.Isolates;
import dev.steward.agent.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * What every open instance uses: the clock, the events, the store, the isolates, the namespaces, the data dir,
 * the gateway's domain and port (for URLs), how long parts have to become ready and to stop, and the tokens (who may open a URL).
 */
record Shared(Clock clock, EventBus bus, Store store, Isolates isolates, Netns netns, Path dataDir, String domain,
              IntSupplier gatewayPort, Duration readyWithin, Duration stopGrace,
              java.util.function.Function<String, dev.steward.agent.auth.Tokens.Check> tokens) {

    /** The instance's own folder: its root (the parts' working directory and data folders). */
    Path root(String uuid) {
        return dataDir.resolve("dynamic").resolve(uuid);
    }

    /** Where an owner's state of a service is kept between opens. */
    Path savedState(String service, String owner) {
        return dataDir.resolve("dynamic-state").resolve(service).resolve(owner);
    }

    /** Where an instance's outputs go when it closes. */
    Path outputs(String service, String uuid) {
        return dataDir.resolve("outputs").resolve(service).resolve(uuid);
    }

    Path log(String service, String uuid, String part) {
        return dataDir.resolve("logs").resolve(service).resolve(uuid + "-" + part + ".log");
    }

    String host(String uuid) {
        return uuid + ".services." + domain;
    }

    String url(String uuid) {
        return "http://" + host(uuid) + ":" + gatewayPort.getAsInt() + "/";
    }
}
