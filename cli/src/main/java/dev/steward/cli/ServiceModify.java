package dev.steward.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code steward service modify NAME -f SPEC | --set key=value ...}. */
@Command(addMethodSubcommands = false, name = "modify", mixinStandardHelpOptions = true, description = "Change a registered service's definition.")
final class ServiceModify implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;
    @Mixin Waiting waiting;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = {"-f", "--file"}, paramLabel = "SPEC", description = "The new spec.")
    String file;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set one field, such as instances=3 or env.GREETING=hi.")
    List<String> sets;

    @Override
    public Integer call() {
        NameArg.check(name);
        if ((file == null) == (sets == null || sets.isEmpty())) throw new CliException(2, "give either -f SPEC or --set KEY=VALUE");
        ApiClient c = common.client();
        Specs.SpecFile f = file == null ? null : Specs.read(file);
        var v = f != null
                ? c.call("PATCH", "/v1/services/" + name, f.text(), f.headers())
                : c.call("PATCH", "/v1/services/" + name + "?" + sets.stream()
                        .map(s -> "set=" + URLEncoder.encode(s, StandardCharsets.UTF_8)).collect(Collectors.joining("&")), null, Map.of());
        return waiting.finish(common, c, v);
    }
}
