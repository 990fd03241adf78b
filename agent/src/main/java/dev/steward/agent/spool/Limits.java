package dev.steward.agent.spool;

/**
 * How much spooling may take.
 *
 * @param maxBytes     the bytes an archive may unpack to (every entry's data counted as it is read)
 * @param maxEntries   the entries an archive may hold
 * @param maxNameBytes the longest entry name or link target, in UTF-8 bytes
 * @param maxRatio     how many times its compressed size an archive may inflate to, once past {@link #RATIO_FREE}
 * @param maxArchive   the largest upload taken
 * @param maxSpooling  the bytes of all uploads being received or unpacked at once
 */
public record Limits(long maxBytes, int maxEntries, int maxNameBytes, int maxRatio, long maxArchive, long maxSpooling) {
    /** Unpacked bytes taken at any ratio: small archives of very compressible files are not refused. */
    public static final long RATIO_FREE = 16L << 20;
    public static final Limits DEFAULT = new Limits(1L << 30, 100_000, 1024, 200, 512L << 20, 1L << 30);

    public Limits {
        positive("maxBytes", maxBytes);
        positive("maxEntries", maxEntries);
        positive("maxNameBytes", maxNameBytes);
        positive("maxRatio", maxRatio);
        positive("maxArchive", maxArchive);
        positive("maxSpooling", maxSpooling);
        if (maxArchive > maxSpooling) {
            throw new IllegalArgumentException("maxArchive: " + maxArchive + " (expected: at most maxSpooling, " + maxSpooling + ")");
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }

    public Limits withBytes(long bytes) {
        return new Limits(bytes, maxEntries, maxNameBytes, maxRatio, maxArchive, maxSpooling);
    }

    public Limits withEntries(int entries) {
        return new Limits(maxBytes, entries, maxNameBytes, maxRatio, maxArchive, maxSpooling);
    }

    /** The same limits with uploads of at most {@code archive} bytes, {@code spooling} of them at once. */
    public Limits withUploads(long archive, long spooling) {
        return new Limits(maxBytes, maxEntries, maxNameBytes, maxRatio, archive, spooling);
    }
}
