package dev.steward.agent.isolate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds a user's ids in /etc/passwd for running an instance as that user. */
final class Users {
    private Users() {}

    /** A user's ids; {@code name} is null for a numeric id with no entry in /etc/passwd. */
    record Ids(long uid, long gid, String name) {}

    /** Finds {@code user}: a name in /etc/passwd, or a numeric id. */
    static Ids resolve(String user) {
        for (String line : passwd()) {
            String[] f = line.split(":");
            if (f.length > 3 && (f[0].equals(user) || f[2].equals(user))) return new Ids(Long.parseLong(f[2]), Long.parseLong(f[3]), f[0]);
        }
        if (user.matches("\\d+")) return new Ids(Long.parseLong(user), Long.parseLong(user), null);
        throw new IllegalArgumentException("user: no user '" + user + "' on this node");
    }

    /** The agent's own uid (the owner of /proc/self). */
    static long own() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name")) ? 0 : -1;
        }
    }

    /** The setpriv options that switch to {@code user}. */
    static List<String> setprivArgs(String user) {
        Ids ids = resolve(user);
        return List.of("--reuid=" + ids.uid(), "--regid=" + ids.gid(), ids.name() == null ? "--clear-groups" : "--init-groups");
    }

    /** The helper's {@code --user} value: {@code UID:GID[:NAME]}. */
    static String helperArg(String user) {
        Ids ids = resolve(user);
        return ids.uid() + ":" + ids.gid() + (ids.name() == null ? "" : ":" + ids.name());
    }

    private static List<String> passwd() {
        try {
            return Files.readAllLines(Path.of("/etc/passwd"));
        } catch (IOException e) {
            return List.of();
        }
    }
}
