package dev.steward.model;

import java.util.Collection;
import java.util.Locale;

/**
 * The state of a dynamic service's instance or of one of its parts, lowest first: an instance is in the lowest
 * state of its parts.
 */
public enum DynamicState {
    FAILED, PENDING, PULLING, STARTING, RUNNING, STOPPING, COMPLETE, IDLE;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The lowest of {@code states}; {@code PENDING} when there are none. */
    public static DynamicState lowest(Collection<DynamicState> states) {
        return states.stream().min(Enum::compareTo).orElse(PENDING);
    }
}
