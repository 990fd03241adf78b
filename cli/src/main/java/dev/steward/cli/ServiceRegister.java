package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code steward service register -f SPEC}. */
@Command(name = "register", mixinStandardHelpOptions = true, description = "Store a service's definition (permanent and dynamic services start).")
final class ServiceRegister implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;
    @Mixin Waiting waiting;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "SPEC", description = "The spec file (YAML or JSON; - for stdin).")
    String file;

    @Override
    public Integer call() {
        Specs.SpecFile f = Specs.read(file);
        ApiClient c = common.client();
        JsonNode v = c.call("POST", "/v1/services", f.text(), f.headers());
        return waiting.finish(common, c, v);
    }
}
