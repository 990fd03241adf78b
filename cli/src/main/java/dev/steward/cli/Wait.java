package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Set;

/** Waits, with progress, until a service settles in one of the wanted states. */
final class Wait {
    private Wait() {}

    /**
     * Until {@code name} is available with as many running instances as it wants and none still
     * starting or stopping (a scale-up or a rolling replacement has finished), or cannot become so;
     * the last view.
     */
    static JsonNode available(ApiClient c, String name, Duration timeout) {
        JsonNode v = until(c, name, Set.of("available", "disabled", "stopped"), timeout, "waiting for " + name + " to become available");
        String state = v.path("state").asText();
        if (state.equals("disabled")) throw new CliException(1, name + " is disabled: " + v.path("reason").asText());
        if (state.equals("stopped") && v.path("wanted").asInt() > 0) throw new CliException(1, name + " stopped");
        return v;
    }

    static JsonNode stopped(ApiClient c, String name, Duration timeout) {
        return until(c, name, Set.of("stopped", "disabled"), timeout, "waiting for " + name + " to stop");
    }

    private static JsonNode until(ApiClient c, String name, Set<String> states, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Progress p = new Progress()) {
            while (true) {
                JsonNode v = c.get("/v1/services/" + name);
                String state = v.path("state").asText();
                if ((states.contains(state) && settled(v)) || (state.equals("stopped") && v.path("wanted").asInt() == 0)) return v;
                if (System.nanoTime() > deadline) {
                    throw new CliException(1, "timed out " + what + " after " + timeout.toSeconds() + "s; it is " + state
                            + describe(v));
                }
                p.show(what + ": " + state + ", " + running(v) + " of " + v.path("wanted").asInt() + " running" + describe(v));
                sleep();
            }
        }
    }

    /** Whether an available service runs what it wants and nothing is on its way in or out. */
    static boolean settled(JsonNode v) {
        if (!v.path("state").asText().equals("available")) return true;
        for (JsonNode i : v.path("instances")) {
            switch (i.path("state").asText()) {
                case "pending", "spooling", "starting", "stopping" -> {
                    return false;
                }
                default -> { }
            }
        }
        return running(v) >= v.path("wanted").asInt();
    }

    private static int running(JsonNode v) {
        int n = 0;
        for (JsonNode i : v.path("instances")) if (i.path("state").asText().equals("running")) n++;
        return n;
    }

    private static String describe(JsonNode v) {
        for (JsonNode i : v.path("instances")) {
            String reason = i.path("reason").asText("");
            if (!reason.isEmpty()) return " (" + i.path("id").asText() + ": " + reason + ")";
        }
        return "";
    }

    static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(1, "interrupted");
        }
    }
}
