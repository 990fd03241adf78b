package dev.steward.agent.service;

import java.util.List;

/**
 * A service as the API shows it; {@code wantedBy} says which input rules the wanted count (the spec,
 * {@code service start --instances}, the autoscaler, references, the ping's recommendation, in a
 * cluster the scheduler's assignment). In a cluster {@code instances} holds every node's, {@code placed}
 * how many the scheduler gave each node, and {@code pending} why some are not placed ("" when all are).
 * A service with parts runs nothing of its own: {@code opened} lists its open instances (null for other services),
 * and its state is the lowest of theirs.
 */
public record ServiceView(String name, String kind, String policy, String state, String health, String reason,
                          boolean custom, boolean enabled, String owner, String uuid, String node, int wanted, String wantedBy, int references,
                          List<InstanceView> instances, Statistics statistics, Object spec, java.util.Map<String, Integer> placed,
                          String pending,
                          @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) List<?> opened) {

    /** This view of a service with parts, with its open instances, its {@code state} and {@code reason} from theirs. */
    public ServiceView withOpened(List<?> opened, String state, String reason) {
        return new ServiceView(name, kind, policy, state, health, reason, custom, enabled, owner, uuid, node, wanted, wantedBy, references,
                instances, statistics, spec, placed, pending, List.copyOf(opened));
    }

    /** What happened to a service since it was registered (or since the agent started). */
    public record Statistics(long starts, long failures, String lastExit, String lastExitReason, long uptimeSeconds) {}
}
