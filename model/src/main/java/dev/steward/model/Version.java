package dev.steward.model;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Steward's version: the CLI's and the agent's, which are built together; read from what the build wrote. */
public final class Version {
    private static final Properties BUILD = load();
    /** The version the build gave, such as {@code 0.1.0} or {@code 0.1.0-SNAPSHOT}. */
    public static final String CURRENT = BUILD.getProperty("version", "unknown");
    /** When it was built (UTC, ISO 8601), or empty when not known. */
    public static final String BUILT = BUILD.getProperty("built", "");

    private Version() {}

    /** For {@code --version}: {@code steward VERSION (built TIME)}. */
    public static String line() {
        return "steward " + CURRENT + (BUILT.isEmpty() ? "" : " (built " + BUILT + ")");
    }

    private static Properties load() {
        Properties p = new Properties();
        try {
            read(p);
        } catch (IOException | RuntimeException e) {
            // unknown, as said above
        }
        // a source tree compiled without Maven's filtering leaves the placeholders
        p.entrySet().removeIf(e -> e.getValue().toString().startsWith("${"));
        return p;
    }

    /**
     * Reads what the build wrote from the jar this class came from, opened alone: asked for a resource,
     * the class loader opens the jars of the classpath in turn until one has it, which cost a
     * {@code steward --version} a sixth of its time. From a directory of classes, the class loader is asked.
     */
    private static void read(Properties p) throws IOException {
        if (readOwnJar(p)) return;
        try (InputStream in = Version.class.getResourceAsStream("build.properties")) {
            if (in != null) p.load(in);
        }
    }

    private static boolean readOwnJar(Properties p) {
        try {
            java.security.CodeSource source = Version.class.getProtectionDomain().getCodeSource();
            java.net.URL at = source == null ? null : source.getLocation();
            if (at == null || !at.getProtocol().equals("file") || !at.getPath().endsWith(".jar")) return false;
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(new java.io.File(at.toURI()), false)) {
                java.util.zip.ZipEntry entry = jar.getEntry("dev/steward/model/build.properties");
                if (entry == null) return false;
                try (InputStream in = jar.getInputStream(entry)) {
                    p.load(in);
                }
                return true;
            }
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return false; // the class loader is asked instead
        }
    }
}
