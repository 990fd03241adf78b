package dev.steward.agent.spool;

/** How large an archive may unpack: total bytes and number of entries. */
public record Limits(long maxBytes, int maxEntries) {
    public static final Limits DEFAULT = new Limits(1L << 30, 100_000);

    public Limits {
        if (maxBytes <= 0 || maxEntries <= 0) throw new IllegalArgumentException("limits must be positive");
    }
}
