package dev.steward.agent.service;

import java.time.Instant;

/** An instance as the API shows it. */
public record InstanceView(String id, String state, String health, long pid, int port, String node, Instant started,
                           int restarts, String reason, String ping, String log,
                           dev.steward.agent.isolate.cgroup.Usage usage) {}
