package dev.steward.agent.logs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Several logs' lines as one, in the order of their stamps. A line without a stamp (written before
 * the agent stamped lines) takes the time of the stamped line before it in its log, or none; lines
 * of the same time keep the order of their logs and of their lines.
 */
public final class Merge {
    private Merge() {}

    /** One log's lines, under the label that says whose they are (an instance's id; empty for none). */
    public record Source(String label, List<String> lines) {
        public Source {
            lines = List.copyOf(lines);
        }
    }

    /** A merged line: whose it is, when (null when unknown) and its text. */
    public record Entry(String label, Instant time, String text) {}

    /**
     * The lines of {@code sources} in time order, those before {@code since} (null: all) left out,
     * then the last {@code tail} of them.
     */
    public static List<Entry> of(List<Source> sources, Instant since, int tail) {
        if (tail < 0) throw new IllegalArgumentException("tail: " + tail + " (expected: 0 or more)");
        record Keyed(Entry entry, Instant order, int source, int index) {}
        List<Keyed> all = new ArrayList<>();
        for (int s = 0; s < sources.size(); s++) {
            Instant last = null;
            List<String> lines = sources.get(s).lines();
            for (int i = 0; i < lines.size(); i++) {
                Stamp.Line l = Stamp.parse(lines.get(i));
                if (l.time() != null) last = l.time();
                if (since != null && (last == null || last.isBefore(since))) continue;
                all.add(new Keyed(new Entry(sources.get(s).label(), l.time(), l.text()), last == null ? Instant.MIN : last, s, i));
            }
        }
        all.sort(Comparator.comparing(Keyed::order).thenComparingInt(Keyed::source).thenComparingInt(Keyed::index));
        return all.subList(Math.max(0, all.size() - tail), all.size()).stream().map(Keyed::entry).toList();
    }
}
