package dev.steward.agent.service;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the cluster's scheduler placed, as this node reads it: how many instances of a service this
 * node runs, where the others are, why some are not placed, and the instances other nodes run. An
 * agent alone has none: its services run here as their policy says.
 */
public interface Placed {
    /** How many instances of {@code service} this node runs. */
    int count(String service);

    /** Every node given instances of {@code service}, and how many. */
    Map<String, Integer> nodes(String service);

    /** Why some of {@code service}'s instances are not placed, or "". */
    String pending(String service);

    /** The instances of {@code service} other live nodes run, as their records say. */
    List<InstanceView> elsewhere(String service);

    /**
     * This node wants {@code count} instances of {@code service} beyond what its record asks (its lingers, its autoscaler;
     * 0: nothing beyond), which the scheduler places over the nodes. Called off the service's runner (it writes).
     */
    void want(String service, int count);

        /** Calls {@code changed} with a service whose placement changed. */
    AutoCloseable watch(Consumer<String> changed);

    /**
     * How many instances the scheduler places for a service, from its record alone (started or not,
     * {@code --instances}, the spec's count); what nodes' lingers and autoscalers want comes through {@link #want}.
     */
    static int wanted(dev.steward.model.Spec spec, dev.steward.agent.store.ServiceRecord record) {
        return new Wanted(spec.policy(), spec.instances(), spec.isPingOnly() || spec.hasParts(), record.enabled(), record.count(), null, 0, false, 0).count();
    }
}
