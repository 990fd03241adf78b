package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward app}: upload, list, info, remove. */
@Command(name = "app", mixinStandardHelpOptions = true, description = "Apps: worker programs the agent runs as pools.",
        subcommands = {AppCommand.Upload.class, AppCommand.ListApps.class, AppCommand.Info.class, AppCommand.Remove.class})
final class AppCommand extends CommandGroup {

    @Command(name = "upload", mixinStandardHelpOptions = true, description = "Upload an app: a directory or a .tar.gz/.tar/.zip with manifest.json at its root.")
    static final class Upload implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "DIR|ARCHIVE")
        Path source;

        @Override
        public Integer call() throws IOException {
            NameArg.check(name);
            byte[] body;
            if (Files.isDirectory(source)) body = Archives.tarGz(source);
            else if (Files.isRegularFile(source)) body = Files.readAllBytes(source);
            else throw new CliException(2, source + ": no such directory or archive");
            JsonNode v = common.client().upload("PUT", "/v1/apps/" + name, body);
            if (common.json) common.printJson(v);
            else System.out.println(name + ": uploaded (worker " + v.path("slave").asText() + ")");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the uploaded apps.")
    static final class ListApps implements Callable<Integer> {
        @Mixin Common common;

        @Override
        public Integer call() {
            JsonNode v = common.client().get("/v1/apps");
            if (common.json) {
                common.printJson(v);
                return 0;
            }
            Table t = new Table("NAME", "WORKER", "UPLOADED");
            for (JsonNode a : v) t.row(a.path("name").asText(), a.path("slave").asText(), a.path("uploaded").asText());
            System.out.print(t.render());
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show an app.")
    static final class Info implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            common.printJson(common.client().get("/v1/apps/" + NameArg.check(name)));
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an app (not while it is in the runlist).")
    static final class Remove implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            var v = common.client().call("DELETE", "/v1/apps/" + NameArg.check(name), null, Map.of());
            if (common.json) common.printJson(v);
            else System.out.println(name + ": removed");
            return 0;
        }
    }
}
