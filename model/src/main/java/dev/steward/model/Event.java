package dev.steward.model;

import java.time.Instant;

/** Every change that the API streams, the UI shows and the scaler reads. */
public sealed interface Event {
    Instant at();

    String service();

    /** The wire name of the event type. */
    default String type() {
        return switch (this) {
            case InstanceChanged e -> "instance";
            case ServiceChanged e -> "service";
            case SpecChanged e -> "spec";
            case JobEnded e -> "job";
            case StepDone e -> "step";
            case DynamicChanged e -> "dynamic";
        };
    }

    /** An instance moved to a new state; {@code reason} says why (may be empty). */
    record InstanceChanged(Instant at, String service, String instance, InstanceState state, long pid, int restarts, String reason)
            implements Event {}

    /** A service's overall state or health changed. */
    record ServiceChanged(Instant at, String service, ServiceState state, Health health, String reason) implements Event {}

    /** A spec was registered, modified or unregistered. */
    record SpecChanged(Instant at, String service, String action) implements Event {}

    /**
     * A named step of opening or closing a dynamic service's instance ({@code instance} is its UUID) ended, after
     * {@code millis}; {@code reason} says why it failed (empty when it did not).
     */
    record StepDone(Instant at, String service, String instance, String step, long millis, boolean ok, String reason) implements Event {}

    /** A dynamic service's instance moved to a new state (the lowest of its parts'). */
    record DynamicChanged(Instant at, String service, String instance, DynamicState state, String reason) implements Event {}

    /** A job ran to its end. */
    record JobEnded(Instant at, String service, int exitCode, String reason) implements Event {}
}
