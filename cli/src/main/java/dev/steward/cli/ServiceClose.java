package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code steward service close UUID [--no-save]}: closes an open instance, saving its state unless told not to. */
@Command(addMethodSubcommands = false, name = "close", mixinStandardHelpOptions = true, description = "Close an open instance: save its state, push its outputs, stop its parts.")
final class ServiceClose implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "UUID")
    String uuid;

    @Option(names = "--no-save", description = "Do not save the instance's state folders.")
    boolean noSave;

    @Override
    public Integer call() {
        NameArg.uuid(uuid);
        JsonNode v = common.client().call("POST", "/v1/dynamic/" + uuid + "/close" + (noSave ? "?save=false" : ""), null, Map.of()).path("closed");
        boolean failed = !v.path("state").asText().equals("complete");
        if (common.json) common.printJson(v);
        else if (failed) System.err.println(uuid + ": " + v.path("state").asText() + ": " + v.path("reason").asText());
        else System.out.println(uuid + ": closed");
        return failed ? 1 : 0;
    }
}
