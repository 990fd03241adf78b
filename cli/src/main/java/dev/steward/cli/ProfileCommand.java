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

/** {@code steward profile}: upload, list, show, remove. */
@Command(addMethodSubcommands = false, name = "profile", mixinStandardHelpOptions = true, description = "Profiles: how an app's queue and workers behave.")
final class ProfileCommand extends CommandGroup {

    @Command(addMethodSubcommands = false, name = "upload", mixinStandardHelpOptions = true, description = "Upload a profile (JSON or YAML); it is checked whole.")
    static final class Upload implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws IOException {
            NameArg.check(name);
            if (!Files.isRegularFile(file)) throw new CliException(2, file + ": no such file");
            JsonNode v = common.client().call("PUT", "/v1/profiles/" + name, Files.readString(file), Map.of());
            Printer.warnings(v);
            if (common.json) common.printJson(v);
            else System.out.println(name + ": uploaded");
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "list", mixinStandardHelpOptions = true, description = "List the profiles.")
    static final class ListProfiles implements Callable<Integer> {
        @Mixin Common common;

        @Override
        public Integer call() {
            JsonNode v = common.client().get("/v1/profiles");
            if (common.json) {
                common.printJson(v);
                return 0;
            }
            Table t = new Table("NAME", "UPLOADED");
            for (JsonNode p : v) t.row(p.path("name").asText(), p.path("uploaded").asText());
            System.out.print(t.render());
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "show", mixinStandardHelpOptions = true, description = "Show a profile with its defaults filled in.")
    static final class Show implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return common.show("profiles", name);
        }
    }

    @Command(addMethodSubcommands = false, name = "remove", mixinStandardHelpOptions = true, description = "Remove a profile (not while the runlist or a running app uses it).")
    static final class Remove implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return common.delete("profiles", name, "removed");
        }
    }
}
