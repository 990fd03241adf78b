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
        Path file = dataDir.resolve(FILE);
        try {
            return new NodeScope(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            byte[] random = new byte[4];
            new SecureRandom().nextBytes(random);
            NodeScope made = new NodeScope(HexFormat.of().formatHex(random));
            Files.createDirectories(dataDir);
            Path tmp = Files.createTempFile(dataDir, ".node", ".id");
            Files.writeString(tmp, made.id() + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return made;
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
