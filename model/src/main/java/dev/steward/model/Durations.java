package dev.steward.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Strict durations: a whole number and one unit out of {@code ms s m h d}, such as {@code 100ms}, {@code 30s} or {@code 30d}. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Durations() {}

    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration (expected: a whole number and ms, s, m, h or d, like 100ms, 30s or 30d)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The shortest exact text for a duration, the inverse of {@link #parse}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0 && ms > 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
