package dev.steward.cli;

import picocli.CommandLine.Option;

/** The {@code -f SPEC} option of the commands that send a spec. */
final class SpecOption {
    @Option(names = {"-f", "--file"}, required = true, paramLabel = "SPEC", description = "The spec file (YAML or JSON; - for stdin).")
    String file;

    Specs.SpecFile read() {
        return Specs.read(file);
    }
}
