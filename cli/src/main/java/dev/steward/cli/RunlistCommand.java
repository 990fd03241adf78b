package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward runlist}: the apps started with the agent, each with its profile. */
@Command(addMethodSubcommands = false, name = "runlist", mixinStandardHelpOptions = true, description = "The apps started when the agent starts.")
final class RunlistCommand extends CommandGroup {

    @Command(addMethodSubcommands = false, name = "add", mixinStandardHelpOptions = true, description = "Start APP with PROFILE whenever the agent starts.")
    static final class Add implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "PROFILE")
        String profile;

        @Override
        public Integer call() {
            JsonNode v = common.client().call("PUT", "/v1/runlist/" + NameArg.check(app), NameArg.check(profile), Map.of());
            if (common.json) common.printJson(v);
            else System.out.println(app + ": in the runlist with profile " + profile);
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "remove", mixinStandardHelpOptions = true, description = "Take APP out of the runlist.")
    static final class Remove implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "APP")
        String app;

        @Override
        public Integer call() {
            return common.delete("runlist", app, "out of the runlist");
        }
    }

    @Command(addMethodSubcommands = false, name = "list", mixinStandardHelpOptions = true, description = "List the runlist.")
    static final class ListAll implements Callable<Integer> {
        @Mixin Common common;

        @Override
        public Integer call() {
            JsonNode v = common.client().get("/v1/runlist");
            if (common.json) {
                common.printJson(v);
                return 0;
            }
            Table t = new Table("APP", "PROFILE");
            for (JsonNode e : v) t.row(e.path("app").asText(), e.path("profile").asText());
            System.out.print(t.render());
            return 0;
        }
    }
}
