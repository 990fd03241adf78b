package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward app}: upload, start, pause, invoke, list, info, logs, remove. */
@Command(addMethodSubcommands = false, name = "app", mixinStandardHelpOptions = true, description = "Apps: worker programs the agent runs as pools.")
final class AppCommand extends CommandGroup {

    @Command(addMethodSubcommands = false, name = "upload", mixinStandardHelpOptions = true, description = "Upload an app: a directory or a .tar.gz/.tar/.zip with manifest.json at its root.")
    static final class Upload implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "DIR|ARCHIVE")
        Path source;

        @Override
        public Integer call() throws IOException {
            NameArg.check(name);
            JsonNode v = Archives.upload(common.client(), "/v1/apps/" + name, source);
            Printer.warnings(v);
            if (common.json) common.printJson(v);
            else System.out.println(name + ": uploaded (worker " + v.path("worker").asText() + ")");
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "start", mixinStandardHelpOptions = true, description = "Start an app with a profile: its service is published and events start workers.")
    static final class Start implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "PROFILE")
        String profile;

        @Override
        public Integer call() {
            return common.answer(name, common.client().call("POST", "/v1/running/" + NameArg.check(name), NameArg.check(profile), Map.of()), null);
        }
    }

    @Command(addMethodSubcommands = false, name = "pause", mixinStandardHelpOptions = true, description = "Stop an app's workers and withdraw its service.")
    static final class Pause implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return common.delete("running", name, null);
        }
    }

    @Command(addMethodSubcommands = false, name = "invoke", mixinStandardHelpOptions = true, description = "Send an event to an app; its reply is written to stdout as it comes.")
    static final class Invoke implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "EVENT")
        String event;

        @Parameters(index = "2", paramLabel = "DATA", arity = "0..1", description = "The event's data; - reads it from stdin; none sends nothing.")
        String data;

        @CommandLine.Option(names = "--tag", description = "The worker to send it to (one is started with that id if none has it).")
        String tag;

        @CommandLine.Option(names = "--timeout", description = "The most the event may take, queue included (like 500ms, 5s).")
        String timeout;

        @Override
        public Integer call() throws IOException {
            NameArg.check(name);
            if (event.isEmpty() || event.contains("/") || event.contains("?") || event.contains("#")) {
                throw new CliException(2, "EVENT: '" + event + "' (an event name has no '/', '?' or '#')");
            }
            byte[] body = data == null ? new byte[0] : data.equals("-") ? System.in.readAllBytes() : data.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            StringBuilder q = new StringBuilder();
            if (tag != null) q.append(q.isEmpty() ? "?" : "&").append("tag=").append(java.net.URLEncoder.encode(tag, java.nio.charset.StandardCharsets.UTF_8));
            if (timeout != null) q.append(q.isEmpty() ? "?" : "&").append("timeout=").append(java.net.URLEncoder.encode(timeout, java.nio.charset.StandardCharsets.UTF_8));
            try {
                common.client().stream("POST", "/v1/apps/" + name + "/" + java.net.URLEncoder.encode(event, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20") + q,
                        body, System.out);
            } catch (IOException e) {
                throw new CliException(1, "the reply was cut off: the app failed after it began to answer");
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "list", mixinStandardHelpOptions = true, description = "List the uploaded apps.")
    static final class ListApps implements Callable<Integer> {
        @Mixin Common common;

        @Override
        public Integer call() {
            JsonNode v = common.client().get("/v1/apps");
            if (common.json) {
                common.printJson(v);
                return 0;
            }
            Table t = new Table("NAME", "STATE", "WORKER", "UPLOADED");
            for (JsonNode a : v) t.row(a.path("name").asText(), a.path("state").asText(), a.path("worker").asText(), a.path("uploaded").asText());
            System.out.print(t.render());
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "info", mixinStandardHelpOptions = true, description = "Show an app.")
    static final class Info implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            JsonNode v = common.client().get("/v1/apps/" + NameArg.check(name));
            if (common.json) {
                common.printJson(v);
                return 0;
            }
            JsonNode app = v.path("app");
            System.out.println(name + ": " + v.path("state").asText() + (v.hasNonNull("profile") ? ", profile " + v.path("profile").asText() : "")
                    + (v.path("reason").asText("").isEmpty() ? "" : " (" + v.path("reason").asText() + ")"));
            if (app.hasNonNull("owner")) System.out.println("  owner     " + app.path("owner").asText());
            if (v.has("queue")) {
                JsonNode q = v.path("queue");
                JsonNode w = v.path("pool");
                System.out.println("  queue     " + q.path("depth").asInt() + " of " + q.path("capacity").asInt());
                System.out.println("  workers   " + w.path("active").asInt() + " busy, " + w.path("idle").asInt() + " idle, at most " + w.path("capacity").asInt());
                System.out.println("  served    " + v.path("served").asLong() + ", abandoned " + v.path("abandoned").asLong() + ", crashes " + v.path("crashes").asLong());
                Table t = new Table("WORKER", "STATE", "LOAD", "PID", "AGE");
                for (JsonNode x : v.path("workers")) {
                    t.row(x.path("id").asText(), x.path("state").asText(), x.path("load").asInt(), x.path("pid").asLong(), x.path("age-ms").asLong() / 1000 + "s");
                }
                System.out.println();
                System.out.print(t.render());
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "logs", mixinStandardHelpOptions = true,
            description = "Print the logs of an app's workers (each line after its worker's id; the last 20 workers' are kept); -f follows them.")
    static final class Logs extends LogsCommand {
        @CommandLine.Option(names = "--worker", paramLabel = "ID", description = "Only this worker.")
        String worker;

        @Override
        public Integer call() throws IOException {
            return print("apps", "worker", worker);
        }
    }

    @Command(addMethodSubcommands = false, name = "remove", mixinStandardHelpOptions = true, description = "Remove an app (not while it runs or is in the runlist).")
    static final class Remove implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return common.delete("apps", name, "removed");
        }
    }
}
