package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward fn}: add, ls, info, rm, invoke, logs. */
@Command(addMethodSubcommands = false, name = "fn", mixinStandardHelpOptions = true, description = "Functions: handler files run by a bundled runtime (python, node, java, shell).")
final class FnCommand extends CommandGroup {

    @Command(addMethodSubcommands = false, name = "add", mixinStandardHelpOptions = true,
            description = "Add a function, or a new version of it: a directory or a .tar.gz/.tar/.zip with function.yaml at its root.")
    static final class Add implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "DIR|ARCHIVE")
        Path source;

        @Override
        public Integer call() throws IOException {
            JsonNode v = Archives.upload(common.client(), "/v1/functions/" + NameArg.check(name), source);
            if (common.json) common.printJson(v);
            else System.out.println(name + ": version " + v.path("version").asInt() + " added (" + v.path("runtime").asText() + " " + v.path("handler").asText() + ")");
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List the functions.")
    static final class Ls implements Callable<Integer> {
        @Mixin Common common;

        @Override
        public Integer call() {
            JsonNode v = common.client().get("/v1/functions");
            if (common.json) {
                common.printJson(v);
                return 0;
            }
            Table t = new Table("NAME", "RUNTIME", "HANDLER", "VERSION", "STATE", "INVOCATIONS", "ERRORS");
            for (JsonNode f : v) {
                t.row(f.path("name").asText(), f.path("runtime").asText(), f.path("handler").asText(), f.path("version").asInt(),
                        f.path("state").asText(), f.path("invocations").asLong(), f.path("errors").asLong());
            }
            System.out.print(t.render());
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "info", mixinStandardHelpOptions = true, description = "Show a function: its versions, counts, latency and workers.")
    static final class Info implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            JsonNode v = common.client().get("/v1/functions/" + NameArg.check(name));
            if (common.json) {
                common.printJson(v);
                return 0;
            }
            System.out.println(name + ": " + v.path("runtime").asText() + " " + v.path("handler").asText() + ", version " + v.path("version").asInt()
                    + ", " + v.path("state").asText());
            System.out.println("  owner        " + v.path("owner").asText());
            if (!v.path("calls").isEmpty()) System.out.println("  calls        " + Json.compact(v.path("calls")));
            System.out.println("  invocations  " + v.path("invocations").asLong() + ", errors " + v.path("errors").asLong());
            JsonNode starts = v.path("starts");
            System.out.println("  starts       cold " + starts.path("cold").asLong() + ", paused " + starts.path("paused").asLong() + ", warm "
                    + starts.path("warm").asLong());
            System.out.println("  pool         " + v.path("pool").asInt() + " paused generic workers of its runtime ready");
            System.out.println("  latency      mean " + v.path("latency-mean-us").asLong() + " µs, p50 under " + v.path("latency-p50-us").asLong()
                    + " µs, p99 under " + v.path("latency-p99-us").asLong() + " µs");
            Table versions = new Table("VERSION", "ADDED", "SHA256");
            for (JsonNode x : v.path("versions")) versions.row(x.path("version").asInt(), x.path("added").asText(), x.path("sha256").asText().substring(0, 12));
            System.out.println();
            System.out.print(versions.render());
            JsonNode running = v.path("running");
            if (!running.isMissingNode()) {
                Table t = new Table("WORKER", "STATE", "LOAD", "PID", "AGE");
                for (JsonNode x : running.path("workers")) {
                    t.row(x.path("id").asText(), x.path("state").asText(), x.path("load").asInt(), x.path("pid").asLong(), x.path("age-ms").asLong() / 1000 + "s");
                }
                System.out.println();
                System.out.println("version " + running.path("version").asInt() + " running, loading " + String.join(", ",
                        java.util.stream.StreamSupport.stream(running.path("loads").spliterator(), false).map(JsonNode::asText).toList()));
                System.out.print(t.render());
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
            description = "Remove a function: a call running finishes on its version, later ones find no function.")
    static final class Rm implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return common.delete("functions", name, "removed");
        }
    }

    @Command(addMethodSubcommands = false, name = "invoke", mixinStandardHelpOptions = true, description = "Invoke a function; its reply is written to stdout as it comes.")
    static final class Invoke implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "DATA", arity = "0..1", description = "The data; - reads it from stdin; none sends nothing.")
        String data;

        @CommandLine.Option(names = "--data", paramLabel = "@FILE", description = "The data from a file (@FILE).")
        String dataFile;

        @CommandLine.Option(names = "--timeout", description = "The most the call may take, under the function's own timeout (like 500ms, 5s).")
        String timeout;

        @Override
        public Integer call() throws IOException {
            NameArg.check(name);
            String q = timeout == null ? "" : "?timeout=" + java.net.URLEncoder.encode(timeout, StandardCharsets.UTF_8);
            try {
                common.client().stream("POST", "/v1/functions/" + name + "/invoke" + q, body(), System.out);
            } catch (IOException e) {
                throw new CliException(1, "the reply was cut off: the function failed after it began to answer");
            }
            return 0;
        }

        private byte[] body() throws IOException {
            if (dataFile != null && data != null) throw new CliException(2, "give DATA or --data @FILE, not both");
            if (dataFile != null) {
                if (!dataFile.startsWith("@")) throw new CliException(2, "--data: '" + dataFile + "' (expected: @FILE)");
                Path f = Path.of(dataFile.substring(1));
                if (!Files.isRegularFile(f)) throw new CliException(2, "--data: " + f + ": no such file");
                return Files.readAllBytes(f);
            }
            if (data == null) return new byte[0];
            return data.equals("-") ? System.in.readAllBytes() : data.getBytes(StandardCharsets.UTF_8);
        }
    }

    @Command(addMethodSubcommands = false, name = "logs", mixinStandardHelpOptions = true,
            description = "Print the logs of a function's workers (each line after its worker's id); -f follows them.")
    static final class Logs extends LogsCommand {
        @CommandLine.Option(names = "--worker", paramLabel = "ID", description = "Only this worker.")
        String worker;

        @Override
        public Integer call() throws IOException {
            return print("functions", "worker", worker);
        }
    }
}
