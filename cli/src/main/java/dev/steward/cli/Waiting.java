package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.Durations;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of commands that wait for a service to become available, and the waiting. */
final class Waiting {
    @Option(names = "--no-wait", description = "Return at once instead of waiting until the service is available.")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s", description = "How long to wait (default ${DEFAULT-VALUE}).")
    String timeout;

    Duration timeout() {
        try {
            return Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new CliException(2, "--timeout: " + e.getMessage());
        }
    }

    /** Waits when the service should run, then prints it. */
    int finish(Common common, ApiClient c, JsonNode v) {
        Duration t = timeout();
        if (!noWait && v.path("wanted").asInt() > 0) v = Wait.available(c, v.path("name").asText(), t);
        if (common.json) common.printJson(v);
        else System.out.println(Printer.summary(v));
        return 0;
    }
}
