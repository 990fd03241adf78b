package dev.steward.agent.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * SQLite's native library, kept in the agent's own directory: the JDBC driver would otherwise
 * extract it from its jar to the temporary directory (and checksum it twice) at every start. The
 * first start copies it once, under a name that carries the driver's version and the platform, and
 * later starts load it from there. If anything goes wrong the driver does as it always did.
 */
final class SqliteNative {
    static final String PATH = "org.sqlite.lib.path";
    static final String NAME = "org.sqlite.lib.name";

    private SqliteNative() {}

    /** Points the driver at its library under {@code dir}, copying it there first when needed. */
    static void prepare(Path dir) {
        if (System.getProperty(PATH) != null) return; // chosen by whoever runs the agent
        try {
            String folder = org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS();
            String name = System.mapLibraryName("sqlitejdbc");
            Path home = dir.resolve("sqlite-" + org.sqlite.SQLiteJDBCLoader.getVersion() + "-" + folder.replace('/', '-'));
            Path lib = home.resolve(name);
            if (!Files.isRegularFile(lib) && !copy("/org/sqlite/native/" + folder + "/" + name, home, lib)) return;
            System.setProperty(PATH, home.toString());
            System.setProperty(NAME, name);
        } catch (IOException | RuntimeException e) {
            // the driver extracts it itself
        }
    }

    private static boolean copy(String resource, Path home, Path lib) throws IOException {
        try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) return false;
            Files.createDirectories(home);
            Path part = Files.createTempFile(home, name(lib), ".part");
            try {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                Files.move(part, lib, StandardCopyOption.ATOMIC_MOVE); // never seen half written
            } finally {
                Files.deleteIfExists(part);
            }
            return true;
        }
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }
}
