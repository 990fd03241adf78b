package dev.steward.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.model.InvalidSpecException;
import dev.steward.model.SpecParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code steward apply -f SPEC}: register or modify, then bring the service to its policy's state. */
@Command(addMethodSubcommands = false, name = "apply", mixinStandardHelpOptions = true, description = "Register or modify a service, then bring it to its policy's state.")
final class ApplyCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;
    @Mixin Waiting waiting;

    @Mixin SpecOption spec;

    @Override
    public Integer call() {
        Specs.SpecFile f = spec.read();
        String name;
        try {
            ObjectNode tree = SpecParser.readTree(f.text());
            name = tree.path("name").asText("");
        } catch (InvalidSpecException e) {
            throw new CliException(2, "invalid spec: " + e.getMessage());
        }
        ApiClient c = common.client();
        return waiting.finish(common, c, c.call("PUT", "/v1/services/" + NameArg.check(name), f.text(), f.headers()));
    }
}
