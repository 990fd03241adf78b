package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code steward events [--follow] [--service NAME] [--instance ID]}: the agent's recent events, and with -f those that come. */
@Command(addMethodSubcommands = false, name = "events", mixinStandardHelpOptions = true,
        description = "Show the agent's recent events (state changes of instances and services, spec changes, job ends); -f follows them.")
final class EventsCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Option(names = {"-f", "--follow"}, description = "Keep printing events as they happen.")
    boolean follow;

    @Option(names = "--service", paramLabel = "NAME", description = "Only this service's events.")
    String service;

    @Option(names = "--instance", paramLabel = "ID", description = "Only this instance's events (an open dynamic instance's UUID: its steps).")
    String instance;

    @Override
    public Integer call() throws IOException {
        if (instance != null && !instance.matches("[0-9a-z-]{1,64}")) throw new CliException(2, "--instance: '" + instance + "' is not an instance id");
        return print(common, follow, (service == null ? "" : "&service=" + NameArg.check(service)) + (instance == null ? "" : "&instance=" + instance));
    }

    /** Prints the events the query {@code filter} selects (as {@code &k=v...}), following them with {@code follow}. */
    static int print(Common common, boolean follow, String filter) throws IOException {
        String path = "/v1/events?after=0" + (follow ? "" : "&follow=false") + filter;
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
                case "job" -> "job ended with exit code " + e.path("exit-code").asInt();
                case "step" -> e.path("instance").asText() + "  " + e.path("step").asText() + " " + (e.path("ok").asBoolean() ? "done" : "FAILED")
                        + " in " + e.path("millis").asLong() + " ms";
                case "dynamic" -> e.path("instance").asText() + "  " + e.path("state").asText();
                default -> e.path("type").asText();
            };
            String reason = e.path("reason").asText("");
            return e.path("at").asText() + "  " + e.path("service").asText() + "  " + what + (reason.isEmpty() ? "" : " (" + reason + ")");
        }
    }
}
