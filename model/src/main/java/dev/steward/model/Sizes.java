package dev.steward.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Strict sizes in bytes: a whole number with an optional binary ({@code Ki Mi Gi Ti}) or decimal ({@code k M G T}) suffix. */
public final class Sizes {
    private static final Pattern FORM = Pattern.compile("(\\d{1,15})(Ki|Mi|Gi|Ti|k|M|G|T)?");

    private Sizes() {}

    public static long parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a size (expected: a whole number with an optional Ki, Mi, Gi, Ti, k, M, G or T, like 256Mi)");
        }
        long n = Long.parseLong(m.group(1));
        long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "k" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1_000_000_000_000L;
        };
        try {
            return Math.multiplyExact(n, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
    }
}
