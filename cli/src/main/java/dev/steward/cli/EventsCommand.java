package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code steward events [--follow] [--service NAME]}: the agent's recent events, and with -f those that come. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Show the agent's recent events (state changes of instances and services, spec changes, job ends); -f follows them.")
final class EventsCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Option(names = {"-f", "--follow"}, description = "Keep printing events as they happen.")
    boolean follow;

    @Option(names = "--service", paramLabel = "NAME", description = "Only this service's events.")
    String service;

    @Override
    public Integer call() throws IOException {
        String path = "/v1/events?after=0" + (follow ? "" : "&follow=false") + (service == null ? "" : "&service=" + NameArg.check(service));
        common.client().stream(path, new Lines(common.json));
        return 0;
    }

    /** Reads the stream's {@code data:} lines and prints each event: as it came with --json, else one line of text. */
    static final class Lines extends OutputStream {
        private final boolean json;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Lines(boolean json) {
            this.json = json;
        }

        @Override
        public void write(int b) {
            if (b != '\n') {
                line.write(b);
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!text.startsWith("data: ") || text.equals("data: {}")) return; // comments, ids, names, overflow markers
            JsonNode e = Json.tree(text.substring("data: ".length()));
            System.out.println(json ? Json.compact(e) : describe(e));
            System.out.flush();
        }

        static String describe(JsonNode e) {
            String what = switch (e.path("type").asText()) {
                case "instance" -> "instance " + e.path("instance").asText() + " " + e.path("state").asText()
                        + (e.path("pid").asLong() > 0 ? " pid " + e.path("pid").asLong() : "");
                case "service" -> e.path("state").asText() + (e.hasNonNull("health") ? ", " + e.path("health").asText() : "");
                case "spec" -> "spec " + e.path("action").asText();
                case "job" -> "job ended with exit code " + e.path("exitCode").asInt();
                default -> e.path("type").asText();
            };
            String reason = e.path("reason").asText("");
            return e.path("at").asText() + "  " + e.path("service").asText() + "  " + what + (reason.isEmpty() ? "" : " (" + reason + ")");
        }
    }
}
