package dev.steward.agent.isolate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The name of one agent's share of the machine: everything the agent creates outside its data dir
 * (cgroups, containers) is named after it, so that agents can share a machine and each cleans up only
 * its own leftovers. It is made once per data dir, at random, and kept there as {@code node.id};
 * short, because it ends up in paths and names that have limits.
 */
public record NodeScope(String id) {
    static final String FILE = "node.id";

    public NodeScope {
        if (id == null || !id.matches("[a-z0-9]{4,16}")) {
            throw new IllegalArgumentException("node id: " + id + " (expected: 4-16 lowercase letters and digits)");
        }
    }

    /** The scope of the agent on {@code dataDir}: read from its {@code node.id}, or made and written there the first time. */
    public static NodeScope of(Path dataDir) throws IOException {
        return of(dataDir, null);
    }

    /**
     * As {@link #of(Path)}, but a scope made the first time is named after {@code nodeName} when one is
     * given (a cluster's node names are unique, so agents sharing a machine get apart names that say
     * whose a cgroup or container is); a data dir keeps the scope it has.
     */
    public static NodeScope of(Path dataDir, String nodeName) throws IOException {
        Path file = dataDir.resolve(FILE);
        try {
            return new NodeScope(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            NodeScope made = nodeName == null ? random() : named(nodeName);
            Files.createDirectories(dataDir);
            Path tmp = Files.createTempFile(dataDir, ".node", ".id");
            Files.writeString(tmp, made.id() + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return made;
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static NodeScope random() {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        return new NodeScope(HexFormat.of().formatHex(random));
    }

    /** The node's name when it fits (4-16 letters and digits), else up to 8 of its letters and digits and 8 hex digits of its hash. */
    static NodeScope named(String nodeName) {
        String plain = nodeName.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (plain.equals(nodeName) && plain.length() >= 4 && plain.length() <= 16) return new NodeScope(plain);
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(nodeName.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new NodeScope(plain.substring(0, Math.min(8, plain.length())) + HexFormat.of().formatHex(h, 0, 4));
        } catch (java.security.NoSuchAlgorithmException x) {
            throw new IllegalStateException(x);
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
