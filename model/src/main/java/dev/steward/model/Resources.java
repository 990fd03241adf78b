package dev.steward.model;

/** Limits for each instance; zero means no limit. */
public record Resources(long memoryBytes, double cpu, int pids) {
    public static final Resources NONE = new Resources(0, 0, 0);

    public boolean any() {
        return memoryBytes > 0 || cpu > 0 || pids > 0;
    }
}
