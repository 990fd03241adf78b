package dev.steward.agent.service;

import dev.steward.model.Instances;
import dev.steward.model.PolicyKind;

/**
 * How many instances a service wants, from its policy's inputs: pure.
 *
 * @param off         removed, halting for an agent shutdown, disabled, ping-only, or another node's: none
 * @param enabled     started by hand (or a permanent service's autostart)
 * @param manual      the count given by {@code service start --instances N}, or null
 * @param recommended the count the pings last recommended (dynamic), or null
 * @param references  uses by the gateway, jobs, dependents and {@code service use}
 * @param lingering   a lingering service still within its linger after its last use
 * @param scaled      the autoscaler's count (dynamic)
 * @param assigned    in a cluster, how many the scheduler assigned to this node (it rules); null alone
 */
record Wanted(PolicyKind policy, Instances instances, boolean off, boolean enabled, Integer manual, Integer recommended,
              int references, boolean lingering, int scaled, Integer assigned) {

    Wanted(PolicyKind policy, Instances instances, boolean off, boolean enabled, Integer manual, Integer recommended,
           int references, boolean lingering, int scaled) {
        this(policy, instances, off, enabled, manual, recommended, references, lingering, scaled, null);
    }

    /** Which input rules the count, as {@code service query} says it. */
    enum Rule {
        NONE("none"), SPEC("spec"), START("service start --instances"), PINGS("recommended by the ping"),
        AUTOSCALER("autoscaler"), REFERENCES("references"), PLACEMENT("the scheduler's assignment");

        final String words;

        Rule(String words) {
            this.words = words;
        }
    }

    int count() {
        if (off) return 0;
        if (assigned != null) return assigned;
        int count = manual != null ? manual : instances.max();
        return switch (policy) {
            case PERMANENT -> enabled ? count : 0;
            case ON_DEMAND -> enabled || references > 0 ? count : 0;
            case LINGERING -> enabled || references > 0 || lingering ? count : 0;
            case DYNAMIC -> enabled || references > 0 || scaled > 0
                    ? instances.clamp(Math.max(Math.max(dynamicBase(), scaled), references)) : 0;
        };
    }

    Rule rule() {
        if (count() == 0) return Rule.NONE;
        if (assigned != null) return Rule.PLACEMENT;
        if (policy != PolicyKind.DYNAMIC) return manual != null ? Rule.START : Rule.SPEC;
        int base = dynamicBase();
        if (references > Math.max(base, scaled)) return Rule.REFERENCES;
        if (scaled > base) return Rule.AUTOSCALER;
        if (recommended != null) return Rule.PINGS;
        return manual != null ? Rule.START : Rule.SPEC;
    }

    /** What a dynamic service wants before references: the pings' recommendation, else a manual count, else min. */
    private int dynamicBase() {
        if (recommended != null) return recommended;
        return manual == null ? instances.min() : manual;
    }
}
