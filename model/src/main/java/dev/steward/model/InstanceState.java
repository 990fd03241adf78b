package dev.steward.model;

import java.util.Locale;

/** The state of one instance. */
public enum InstanceState {
    PENDING, SPOOLING, STARTING, RUNNING, PAUSED, STOPPING, EXITED, FAILED;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the instance's process may be alive. */
    public boolean live() {
        return this == STARTING || this == RUNNING || this == PAUSED || this == STOPPING;
    }

    public boolean ended() {
        return this == EXITED || this == FAILED;
    }
}
