package dev.steward.model;

/** What a spec defines. */
public enum Kind {
    SERVICE, APP, FUNCTION, JOB;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
