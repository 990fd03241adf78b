package dev.steward.model;

import java.util.Locale;

/** What the pings say. */
public enum Health {
    HEALTHY, UNHEALTHY, UNKNOWN;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
