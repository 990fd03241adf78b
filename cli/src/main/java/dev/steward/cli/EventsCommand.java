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
@Command(addMethodSubcommands = false, name = "events", mixinStandardHelpOptions = true,
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
        boolean json = common.json;
        common.client().stream(path, new Lines(e -> {
            System.out.println(json ? Json.compact(e) : Lines.describe(e));
            System.out.flush();
        }));
        return 0;
    }

    /** Reads an event stream's {@code data:} lines and hands each event on as it comes. */
    static final class Lines extends OutputStream {
        private final java.util.function.Consumer<JsonNode> each;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Lines(java.util.function.Consumer<JsonNode> each) {
            this.each = each;
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
            each.accept(Json.tree(text.substring("data: ".length())));
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
