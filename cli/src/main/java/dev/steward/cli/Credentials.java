package dev.steward.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which tokens the CLI tries, in order: {@code --token} or {@code STEWARD_TOKEN} (then only that one);
 * else the one {@code steward login} saved; else the bootstrap admin tokens of agents on this machine
 * that this user can read ({@code ./.steward/admin.token} for a dev agent started here, the default
 * data dir's, {@code $STEWARD_DATA_DIR}'s), and those only for an agent on this machine (a loopback
 * address): a local admin token is never sent elsewhere.
 */
final class Credentials {
    private Credentials() {}

    static List<String> candidates(String explicit, String host) {
        if (explicit != null && !explicit.isBlank()) return List.of(explicit.strip());
        LinkedHashSet<String> out = new LinkedHashSet<>();
        read(loginFile()).ifPresent(out::add);
        if (loopback(host)) for (Path p : bootstrapFiles()) read(p).ifPresent(out::add);
        return new ArrayList<>(out);
    }

    /** Where {@code steward login} keeps its token: {@code $XDG_CONFIG_HOME/steward/token} or {@code ~/.config/steward/token}. */
    static Path loginFile() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("steward").resolve("token");
    }

    static void saveLogin(String token) {
        Path file = loginFile();
        try {
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = Files.createTempFile(file.getParent(), ".token-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CliException(1, "cannot save the token in " + file + ": " + e.getMessage());
        }
    }

    static boolean forget() {
        try {
            return Files.deleteIfExists(loginFile());
        } catch (IOException e) {
            throw new CliException(1, "cannot remove " + loginFile() + ": " + e.getMessage());
        }
    }

    private static boolean loopback(String host) {
        if (host == null) return false;
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.startsWith("127.") || h.equals("::1");
    }

    private static List<Path> bootstrapFiles() {
        List<Path> files = new ArrayList<>();
        String dataDir = System.getenv("STEWARD_DATA_DIR");
        if (dataDir != null && !dataDir.isBlank()) files.add(Path.of(dataDir, "admin.token"));
        files.add(Path.of(".steward", "admin.token"));
        files.add(Path.of(System.getProperty("user.home"), ".local", "share", "steward", "admin.token"));
        return files;
    }

    private static java.util.Optional<String> read(Path p) {
        try {
            if (!Files.isReadable(p)) return java.util.Optional.empty();
            String t = Files.readString(p).strip();
            return t.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(t);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
