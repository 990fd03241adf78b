package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;

/** {@code steward service inputs push UUID DIR}: new inputs for an open instance. */
@Command(addMethodSubcommands = false, name = "inputs", mixinStandardHelpOptions = true, subcommands = ServiceInputs.Push.class,
        description = "The inputs of an open instance.")
final class ServiceInputs extends CommandGroup {
    /** Packs DIR and sends it; the instance's parts that ask for it are started again. */
    @Command(addMethodSubcommands = false, name = "push", mixinStandardHelpOptions = true,
            description = "Push DIR as the new inputs of an open instance (in place of the old); its parts with restart-on-inputs start again.")
    static final class Push extends InstanceDirCommand {
        @Override
        public Integer call() throws IOException {
            String path = "/v1/dynamic/" + NameArg.uuid(uuid) + "/inputs";
            JsonNode v = Archives.sendDir(dir, "DIR", packed -> common.client().upload("POST", path, packed));
            boolean failed = !v.path("state").asText().equals("running");
            if (common.json) common.printJson(v);
            else if (failed) System.err.println(uuid + ": " + v.path("state").asText() + ": " + v.path("reason").asText());
            else System.out.println(uuid + ": new inputs");
            return failed ? 1 : 0;
        }
    }
}
