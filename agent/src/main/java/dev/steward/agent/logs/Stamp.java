package dev.steward.agent.logs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The time the agent puts before each line it copies into a log: RFC 3339 in UTC with microseconds and
 * a space ({@code 2026-05-01T10:00:00.123456Z hello}), always 28 characters, so that stamped lines sort
 * as text in the order they were written.
 */
public final class Stamp {
    /** The prefix's length, space included. */
    public static final int WIDTH = 28;
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Stamp() {}

    /** A line of a log: its time, or null for a line the agent did not stamp (a log written before stamping), and its text. */
    public record Line(Instant time, String text) {
        public Line {
            java.util.Objects.requireNonNull(text, "text");
        }

        /** As the log holds it (without a time, the text alone). */
        public String stamped() {
            return time == null ? text : prefix(time) + text;
        }
    }

    public static String prefix(Instant time) {
        return FORMAT.format(time) + ' ';
    }

    /** A log's line read back: the stamp split off when the line has one. */
    public static Line parse(String line) {
        if (line.length() < WIDTH || line.charAt(WIDTH - 1) != ' ' || line.charAt(WIDTH - 2) != 'Z' || line.charAt(10) != 'T') {
            return new Line(null, line);
        }
        try {
            return new Line(Instant.parse(line.substring(0, WIDTH - 1)), line.substring(WIDTH));
        } catch (DateTimeParseException e) {
            return new Line(null, line);
        }
    }
}
