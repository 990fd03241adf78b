package dev.steward.cli;

import dev.steward.model.ComposeImport;
import dev.steward.model.InvalidSpecException;
import dev.steward.model.Names;
import dev.steward.model.SpecParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code steward service import compose.yaml}: a Compose file as the spec of a service with parts, and what could not be translated. */
@Command(addMethodSubcommands = false, name = "import", mixinStandardHelpOptions = true,
        description = "Translate a Compose file into the spec of a service with parts (printed, or written with -o); "
                + "what could not be translated is listed on stderr.")
final class ServiceImport implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "COMPOSE_FILE")
    Path file;

    @Option(names = "--name", paramLabel = "NAME", description = "The service's name (default: the file's top-level name, else its folder's).")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the spec to FILE instead of stdout (only when it is valid).")
    Path output;

    @Option(names = "--register", description = "Register the spec with the agent as well (only when it is valid).")
    boolean register;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) throw new CliException(2, file + ": no such file");
        String text = Files.readString(file);
        ComposeImport.Result r;
        try {
            r = ComposeImport.translate(text, NameArg.check(name != null ? name : defaultName(text)));
        } catch (InvalidSpecException e) {
            throw new CliException(2, file + ": " + e.getMessage());
        }
        String yaml = ComposeImport.yaml(r.spec());
        r.untranslated().forEach(u -> System.err.println("not translated: " + u));
        try {
            SpecParser.fromTree(r.spec().deepCopy(), null);
        } catch (InvalidSpecException e) {
            System.out.print(yaml);
            e.problems().forEach(p -> System.err.println("invalid: " + p));
            System.err.println("the spec above is not valid: fix it by hand (nothing was written or registered)");
            return 1;
        }
        if (output != null) Files.writeString(output, yaml);
        else if (!common.json) System.out.print(yaml);
        if (common.json) {
            var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            out.set("spec", r.spec());
            r.untranslated().forEach(out.putArray("untranslated")::add);
            common.printJson(out);
        }
        if (register) common.client().call("POST", "/v1/services", yaml, Map.of("Content-Type", "application/yaml"));
        return 0;
    }

    /** The Compose file's own {@code name}, else its folder's, when that is a valid service name. */
    private String defaultName(String text) {
        var top = SpecParser.readTree(text).path("name").asText("");
        if (Names.valid(top)) return top;
        Path dir = file.toAbsolutePath().getParent();
        String folder = dir == null || dir.getFileName() == null ? "" : dir.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (Names.valid(folder)) return folder;
        throw new CliException(2, "give the service a name with --name (neither the file nor its folder has a valid one)");
    }
}
