package dev.steward.cli;

import dev.steward.model.Names;

/** Checks a service name given on the command line before it goes into a URL. */
final class NameArg {
    private NameArg() {}

    static String check(String name) {
        String problem = Names.problem(name);
        if (problem != null) throw new CliException(2, "bad name: " + problem);
        return name;
    }
}
