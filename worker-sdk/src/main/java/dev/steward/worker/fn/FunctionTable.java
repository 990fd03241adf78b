package dev.steward.worker.fn;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The functions a runtime worker may load, as the agent gives them in {@code STEWARD_FUNCTIONS}: one
 * per line, {@code NAME TAB HANDLER TAB SAME TAB OTHER TAB DIR}, where SAME and OTHER are the
 * same-worker and other-worker callees separated by commas.
 */
record FunctionTable(Map<String, Entry> entries) {
    /** One function: where its code is, its handler, what it may call in this process and what in other workers. */
    record Entry(String name, String handler, Set<String> same, Set<String> other, Path dir) {}

    static FunctionTable parse(String text) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t", 5);
            if (f.length != 5) throw new IllegalArgumentException("STEWARD_FUNCTIONS: a line is not NAME, HANDLER, SAME, OTHER and DIR: " + line);
            out.put(f[0], new Entry(f[0], f[1], names(f[2]), names(f[3]), Path.of(f[4])));
        }
        return new FunctionTable(Map.copyOf(out));
    }

    private static Set<String> names(String commas) {
        return commas.isEmpty() ? Set.of() : Set.copyOf(List.of(commas.split(",")));
    }

    Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("function " + name + " is not loaded in this worker");
        return e;
    }
}
