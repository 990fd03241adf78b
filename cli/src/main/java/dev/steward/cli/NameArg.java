package dev.steward.cli;

import dev.steward.model.Names;

/** Checks a service name (or an instance's UUID) given on the command line before it goes into a URL. */
final class NameArg {
    private NameArg() {}

    static String check(String name) {
        String problem = Names.problem(name);
        if (problem != null) throw new CliException(2, "bad name: " + problem);
        return name;
    }

    /** An open instance's UUID, checked before it goes into a URL. */
    static String uuid(String uuid) {
        if (!isUuid(uuid)) throw new CliException(2, "'" + uuid + "' is not an instance's UUID");
        return uuid;
    }

    static boolean isUuid(String s) {
        return s != null && s.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }
}
