package dev.steward.agent.dynamic;

import dev.steward.agent.Json;
import java.util.Map;

/**
 * What the store keeps of an open instance ({@code dynamic/UUID}), so a restarted agent picks it up again: who
 * opened it, its namespace and address, each part's process (pid and start time) and isolate, and the parts that
 * ended and wait out their restart back-off (when they are due, and their recent ends).
 */
record OpenRecord(String uuid, String service, String owner, String opened, String netns, String veth, String address, int port,
                  Map<String, Proc> parts, String isolate, Map<String, Waiting> waiting) {
    static final String PREFIX = "dynamic/";

    OpenRecord {
        parts = parts == null ? Map.of() : Map.copyOf(parts);
        waiting = waiting == null ? Map.of() : Map.copyOf(waiting); // none in a record of an older agent
    }

    /** A part waiting out its back-off: when it is started again, and its ends within its restart window (instants). */
    record Waiting(String due, java.util.List<String> ends) {
        Waiting {
            ends = ends == null ? java.util.List.of() : java.util.List.copyOf(ends);
        }
    }

    /** A part's process, and its isolate when it is not the instance's ({@code container} for a container part). */
    record Proc(long pid, long ticks, String isolate) {}

    String key() {
        return PREFIX + uuid;
    }

    String json() {
        return Json.write(this);
    }

    static OpenRecord parse(String json) {
        return Json.read(json, OpenRecord.class);
    }
}
