package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code steward service open NAME [--inputs DIR]}: a new instance of a service with parts, and its URL. */
@Command(addMethodSubcommands = false, name = "open", mixinStandardHelpOptions = true, description = "Open a new instance of a service with parts, showing its steps as they happen; print its UUID and URL.")
final class ServiceOpen implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--inputs", paramLabel = "DIR", description = "A directory copied into the instance's inputs before its parts start.")
    Path inputs;

    @Override
    public Integer call() throws IOException {
        ApiClient c = common.client();
        // with --json the answer is all; else the steps are shown as they happen, the agent answering at once
        String path = "/v1/services/" + NameArg.check(name) + "/open" + (common.json ? "" : "?wait=false");
        JsonNode v = inputs == null ? c.call("POST", path, null, Map.of())
                : Archives.sendDir(inputs, "--inputs", packed -> c.upload("POST", path, packed));
        String state = v.path("state").asText();
        if (!common.json && !state.equals("running") && !state.equals("failed")) v = new OpenSteps().follow(c, v.path("uuid").asText());
        return print(common, v);
    }

    /** The instance as JSON, or its UUID, state and URLs; 1 when it failed. */
    static int print(Common common, JsonNode v) {
        boolean failed = v.path("state").asText().equals("failed");
        if (common.json) {
            common.printJson(v);
        } else if (failed) {
            System.err.println(v.path("uuid").asText() + " failed: " + v.path("reason").asText());
        } else {
            System.out.println(v.path("uuid").asText() + " " + v.path("state").asText());
            System.out.println("  " + v.path("url").asText());
            System.out.println("  " + v.path("path").asText() + "  (on the gateway, without wildcard DNS)");
        }
        return failed ? 1 : 0;
    }
}
