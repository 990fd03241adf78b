package dev.steward.model;

import java.util.Locale;

/** The state of a service as a whole, lowest first (a service made of parts reports the lowest). */
public enum ServiceState {
    DISABLED, STOPPED, STOPPING, PAUSED, STARTING, WAITING, AVAILABLE;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
