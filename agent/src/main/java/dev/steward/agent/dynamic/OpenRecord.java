package dev.steward.agent.dynamic;

import dev.steward.agent.Json;
import java.util.Map;

/**
 * What the store keeps of an open instance ({@code dynamic/UUID}), so a restarted agent picks it up again: who
 * opened it, its namespace and address, and each part's process (pid and start time) and isolate.
 */
record OpenRecord(String uuid, String service, String owner, String opened, String netns, String veth, String address, int port,
                  Map<String, Proc> parts, String isolate) {
    static final String PREFIX = "dynamic/";

    OpenRecord {
        parts = parts == null ? Map.of() : Map.copyOf(parts);
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
