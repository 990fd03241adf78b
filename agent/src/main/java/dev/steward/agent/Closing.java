package dev.steward.agent;

import java.util.Collection;

/** Closing what must be closed whatever fails on the way (watches, listeners): a failure to close is not reported. */
public final class Closing {
    private Closing() {}

    public static void quietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    public static void all(Collection<? extends AutoCloseable> all) {
        all.forEach(Closing::quietly);
    }
}
