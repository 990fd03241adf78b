package dev.steward.agent.service;

import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.agent.store.ServiceRecord;
import dev.steward.agent.traffic.Endpoint;
import dev.steward.model.Health;
import dev.steward.model.InstanceState;
import dev.steward.model.ServiceState;
import dev.steward.model.Spec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A service as its runner last published it: immutable, read by the gateway, the API, the
 * autoscaler and other services without any lock.
 *
 * @param ready   the instances that may take requests now
 * @param live    the instances that count towards the wanted number
 * @param wantedBy which input rules the wanted count, in words
 */
record Snapshot(Spec spec, ServiceRecord record, boolean custom, ServiceState state, Health health, String reason,
                List<Endpoint> ready, int wanted, String wantedBy, int references, int live, int scaled, boolean disabled,
                boolean removed, List<Instance> instances, ServiceView.Statistics stats) {

    /** One instance as published; {@code handle} is kept for reading its usage at view time. */
    record Instance(String id, InstanceState state, Health health, boolean ready, long pid, int port, Instant started,
                    int restarts, String reason, String lastPing, Path log, InstanceHandle handle) {}

    /** No instance may still be alive. */
    boolean nothingLive() {
        return instances.stream().noneMatch(i -> i.state().live() || i.state() == InstanceState.PENDING);
    }
}
