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
        try (InputStream in = Version.class.getResourceAsStream("build.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // unknown, as said above
        }
        // a source tree compiled without Maven's filtering leaves the placeholders
        p.entrySet().removeIf(e -> e.getValue().toString().startsWith("${"));
        return p;
    }

}
