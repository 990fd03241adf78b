package dev.steward.model;

import java.util.regex.Pattern;

/** Names of services, apps, functions and jobs: {@code [a-z0-9][a-z0-9-]{0,62}}. */
public final class Names {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private Names() {}

    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Why a name is refused, or {@code null} when it is valid. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) return "a name is required";
        if (name.contains("/") || name.contains("..")) return "'" + name + "' must not contain '/' or '..'";
        if (!valid(name)) return "'" + name + "' is not a valid name (expected: [a-z0-9][a-z0-9-]{0,62})";
        return null;
    }

    public static String require(String name) {
        String problem = problem(name);
        if (problem != null) throw new InvalidSpecException("name", problem);
        return name;
    }
}
