package dev.steward.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code steward service run -f SPEC}: a custom service, not stored, gone when stopped. */
@Command(addMethodSubcommands = false, name = "run", mixinStandardHelpOptions = true, description = "Run a custom service: not stored, gone when stopped or when the agent restarts.")
final class ServiceRun implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;
    @Mixin Waiting waiting;

    @Mixin SpecOption spec;

    @Override
    public Integer call() {
        Specs.SpecFile f = spec.read();
        ApiClient c = common.client();
        return waiting.finish(common, c, c.call("POST", "/v1/services?run=true", f.text(), f.headers()));
    }
}
