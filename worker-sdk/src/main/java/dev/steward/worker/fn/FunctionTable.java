package dev.steward.worker.fn;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The functions a runtime worker may load, as the agent gives them in {@code STEWARD_FUNCTIONS}: one
 * per line, {@code NAME TAB HANDLER TAB CALLS TAB DIR}, where CALLS are the same-worker callees
 * separated by commas.
 */
record FunctionTable(Map<String, Entry> entries) {
    /** One function: where its code is, its handler, and what it may call in this process. */
    record Entry(String name, String handler, Set<String> calls, Path dir) {}

    static FunctionTable parse(String text) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t", 4);
            if (f.length != 4) throw new IllegalArgumentException("STEWARD_FUNCTIONS: a line is not NAME, HANDLER, CALLS and DIR: " + line);
            Set<String> calls = f[2].isEmpty() ? Set.of() : Set.copyOf(List.of(f[2].split(",")));
            out.put(f[0], new Entry(f[0], f[1], calls, Path.of(f[3])));
        }
        return new FunctionTable(Map.copyOf(out));
    }

    Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("function " + name + " is not loaded in this worker");
        return e;
    }
}
