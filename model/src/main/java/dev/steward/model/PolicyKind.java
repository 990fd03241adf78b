package dev.steward.model;

/** How many instances a service should have, and when. */
public enum PolicyKind {
    /** Kept up while the agent runs. */
    PERMANENT("permanent"),
    /** Up while something references it. */
    ON_DEMAND("on-demand"),
    /** Like on-demand, but stays up for {@code linger} after the last reference. */
    LINGERING("lingering"),
    /** Between min and max instances, following demand. */
    DYNAMIC("dynamic");

    private final String wire;

    PolicyKind(String wire) {
        this.wire = wire;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return wire;
    }

    public static PolicyKind of(String wire) {
        for (PolicyKind p : values()) {
            if (p.wire.equals(wire)) return p;
        }
        throw new IllegalArgumentException(
                "'" + wire + "' is not a policy (expected: permanent, on-demand, lingering or dynamic)");
    }
}
