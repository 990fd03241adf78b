package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code steward service register -f SPEC}. */
@Command(addMethodSubcommands = false, name = "register", mixinStandardHelpOptions = true, description = "Store a service's definition (permanent and dynamic services start).")
final class ServiceRegister implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;
    @Mixin Waiting waiting;

    @Mixin SpecOption spec;

    @Override
    public Integer call() {
        Specs.SpecFile f = spec.read();
        ApiClient c = common.client();
        JsonNode v = c.call("POST", "/v1/services", f.text(), f.headers());
        return waiting.finish(common, c, v);
    }
}
