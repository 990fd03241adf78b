package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code steward job}: run-to-completion programs: run, list, logs, stop. */
@Command(addMethodSubcommands = false, name = "job", mixinStandardHelpOptions = true, description = "Run jobs, list them, read their logs, stop them.")
final class JobCommand extends CommandGroup {

    /** A job's id as the agent makes them: its name, a dash, eight hex digits. */
    static String checkId(String id) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,80}")) throw new CliException(2, "'" + id + "' is not a job id (like backup-1a2b3c4d)");
        return id;
    }

    @Command(addMethodSubcommands = false, name = "list", mixinStandardHelpOptions = true, description = "List the last 200 jobs, kept across agent restarts.")
    static final class ListJobs implements Callable<Integer> {
        @Mixin Common common;

        @Override
        public Integer call() {
            JsonNode list = common.client().get("/v1/jobs");
            if (common.json) {
                common.printJson(list);
                return 0;
            }
            Table t = new Table("ID", "STATE", "EXIT", "STARTED", "ENDED", "OWNER", "REASON");
            for (JsonNode j : list) {
                t.row(j.path("id").asText(), j.path("state").asText(), j.hasNonNull("exit-code") ? j.path("exit-code").asInt() : "-",
                        j.path("started").asText("-"), j.hasNonNull("ended") ? j.path("ended").asText() : "-", j.path("owner").asText("-"), j.path("reason").asText(""));
            }
            System.out.print(t.render());
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "logs", mixinStandardHelpOptions = true, description = "Print a job's log; -f follows it.")
    static final class Logs implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = {"-f", "--follow"}, description = "Keep printing what is appended.")
        boolean follow;

        @Option(names = "--tail", paramLabel = "N", defaultValue = "100000", description = "How many lines to start with (default ${DEFAULT-VALUE}).")
        int tail;

        @Override
        public Integer call() throws IOException {
            if (tail < 0) throw new CliException(2, "--tail: " + tail + " (expected: 0 or more)");
            String path = "/v1/jobs/" + checkId(id) + "/logs?tail=" + tail + (follow ? "&follow=true" : "");
            if (common.json) {
                try (LogsCommand.JsonLines lines = new LogsCommand.JsonLines(System.out, "job")) {
                    common.client().stream(path, lines);
                }
            } else {
                common.client().stream(path, System.out);
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "stop", mixinStandardHelpOptions = true, description = "Stop a waiting or running job (SIGTERM, then SIGKILL after the agent's stop grace).")
    static final class Stop implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            JsonNode v = common.client().call("POST", "/v1/jobs/" + checkId(id) + "/stop", null, java.util.Map.of());
            if (common.json) common.printJson(v);
            else System.out.println(id + ": " + (v.hasNonNull("ended") ? "already ended, " + v.path("state").asText() : "stopping"));
            return 0;
        }
    }
}
