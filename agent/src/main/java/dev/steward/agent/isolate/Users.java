package dev.steward.agent.isolate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds a user's ids in /etc/passwd for running an instance as that user. */
final class Users {
    private Users() {}

    /** The setpriv options that switch to {@code user} (a name in /etc/passwd, or a numeric id). */
    static List<String> setprivArgs(String user) {
        for (String line : passwd()) {
            String[] f = line.split(":");
            if (f.length > 3 && (f[0].equals(user) || f[2].equals(user))) {
                return List.of("--reuid=" + f[2], "--regid=" + f[3], "--init-groups");
            }
        }
        if (user.matches("\\d+")) return List.of("--reuid=" + user, "--regid=" + user, "--clear-groups");
        throw new IllegalArgumentException("user: no user '" + user + "' on this node");
    }

    private static List<String> passwd() {
        try {
            return Files.readAllLines(Path.of("/etc/passwd"));
        } catch (IOException e) {
            return List.of();
        }
    }
}
