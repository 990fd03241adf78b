package dev.steward.agent.spool;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An entry's name, checked and taken apart: relative, {@code .} and empty parts dropped, {@code ..}
 * applied without climbing above the archive's root, no part longer than a file name may be.
 *
 * @param name  the name as the archive gives it, for messages
 * @param parts the names of the directories down to the entry, then the entry's own
 */
public record EntryPath(String name, List<String> parts) {
    /** The longest part of a name (a file name on Linux), in bytes. */
    static final int MAX_PART = 255;

    public EntryPath {
        parts = List.copyOf(parts);
    }

    /** Checks {@code name}; refused with the reason when it is absolute, climbs out or is too long. */
    public static EntryPath of(String name, int maxBytes) {
        if (name == null || name.isEmpty()) throw refused(String.valueOf(name), "has no name");
        if (name.indexOf('\0') >= 0) throw refused(name, "has a NUL character in its name");
        if (bytes(name) > maxBytes) throw refused(name, "the name is longer than " + maxBytes + " bytes");
        if (name.startsWith("/")) throw refused(name, "is an absolute path");
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (parts.isEmpty()) throw refused(name, "climbs out of the archive");
                parts.removeLast();
                continue;
            }
            if (bytes(part) > MAX_PART) throw refused(name, "a part of the name is longer than " + MAX_PART + " bytes");
            parts.add(part);
        }
        return new EntryPath(name, parts);
    }

    /** True for a name of the archive's root itself, like {@code ./}. */
    public boolean isRoot() {
        return parts.isEmpty();
    }

    /** The first {@code n} parts, joined: the name of a directory on the way, for messages. */
    String prefix(int n) {
        return String.join("/", parts.subList(0, n));
    }

    /** This entry refused for {@code problem}: {@code entry 'NAME': PROBLEM}. */
    SpoolException refused(String problem) {
        return refused(name, problem);
    }

    static SpoolException refused(String name, String problem) {
        return new SpoolException("entry '" + shown(name) + "': " + problem);
    }

    /** A name as messages show it: cut after 120 characters. */
    static String shown(String name) {
        return name.length() <= 120 ? name : name.substring(0, 120) + "…";
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        return String.join("/", parts);
    }
}
