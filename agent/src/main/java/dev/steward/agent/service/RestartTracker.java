package dev.steward.agent.service;

import dev.steward.model.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The restart policy as a pure decision over the failure history of one service: the first retry
 * after {@code delay}, doubling to {@code max-delay}; {@code failures-limit} failures within
 * {@code window} disable the service. A run that lasted {@code max-delay} or more is clean and
 * clears the history.
 */
final class RestartTracker {
    private final Deque<Instant> failures = new ArrayDeque<>();
    private RestartPolicy policy;
    private Duration next;

    RestartTracker(RestartPolicy policy) {
        this.policy = policy;
        this.next = policy.delay();
    }

    sealed interface Decision {
        record Restart(Duration after) implements Decision {}

        record Disable(String reason) implements Decision {}
    }

    void policy(RestartPolicy p) {
        policy = p;
        reset();
    }

    void reset() {
        failures.clear();
        next = policy.delay();
    }

    /** An instance ended on its own at {@code now} after running {@code ran}; {@code failed} is false for a clean exit. */
    Decision ended(Instant now, Duration ran, boolean failed) {
        if (ran.compareTo(policy.maxDelay()) >= 0) reset();
        if (!failed) return new Decision.Restart(policy.delay());
        failures.addLast(now);
        while (!failures.isEmpty() && failures.peekFirst().isBefore(now.minus(policy.window()))) failures.removeFirst();
        if (failures.size() >= policy.failuresLimit()) {
            return new Decision.Disable(failures.size() + " failures within " + dev.steward.model.Durations.format(policy.window())
                    + " (failures-limit " + policy.failuresLimit() + ")");
        }
        Duration after = next;
        Duration doubled = next.isZero() ? Duration.ofMillis(1) : next.multipliedBy(2);
        next = doubled.compareTo(policy.maxDelay()) > 0 ? policy.maxDelay() : doubled;
        return new Decision.Restart(after);
    }

    int recentFailures() {
        return failures.size();
    }
}
