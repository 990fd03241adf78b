package dev.steward.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict durations: a whole number and one unit out of {@code ms s m h d}, such as {@code 100ms}, {@code 30s}
 * or {@code 30d}, of at most a year ({@code 365d}), so that no sum or conversion of one overflows.
 */
public final class Durations {
    /** The longest duration accepted. */
    public static final Duration MAX = Duration.ofDays(365);
    private static final Pattern FORM = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");

    private Durations() {}

    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration (expected: a whole number and ms, s, m, h or d, like 100ms, 30s or 30d)");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        if (n > MAX.toMillis() / unit) throw new IllegalArgumentException("'" + text + "' is longer than a year (at most 365d)");
        return Duration.ofMillis(n * unit);
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
