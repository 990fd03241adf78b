package dev.steward.agent.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;

/** The archive formats spooled: named by a file's extension or recognised by its first bytes. */
public enum Format {
    TAR,
    TAR_GZ,
    ZIP;

    /** The first bytes that {@link #sniff} needs. */
    public static final int HEAD = 512;

    /** The format a file name says: {@code .tar.gz}, {@code .tgz}, {@code .tar} or {@code .zip}. */
    public static Optional<Format> of(String fileName) {
        if (fileName.endsWith(".tar.gz") || fileName.endsWith(".tgz")) return Optional.of(TAR_GZ);
        if (fileName.endsWith(".tar")) return Optional.of(TAR);
        if (fileName.endsWith(".zip")) return Optional.of(ZIP);
        return Optional.empty();
    }

    /** The format the first {@code n} bytes of {@code head} show. */
    public static Optional<Format> sniff(byte[] head, int n) {
        if (n > 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) return Optional.of(TAR_GZ);
        if (n > 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return Optional.of(ZIP);
        if (n > 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) return Optional.of(TAR);
        return Optional.empty();
    }

    /**
     * A reader of the archive in {@code raw}. Tar goes through {@link TarReader}, which bounds its headers;
     * gzip through the JDK's reader, which skips the header's name and comment without holding them. A
     * zip is read as a stream of local entries: the central directory, with its modes and links, is not
     * read, so a zip unpacks to plain files and directories only.
     */
    ArchiveInputStream<? extends ArchiveEntry> open(InputStream raw) throws IOException {
        return switch (this) {
            case TAR -> TarReader.of(raw);
            case TAR_GZ -> TarReader.of(new GZIPInputStream(raw, 8192));
            case ZIP -> new ZipArchiveInputStream(raw);
        };
    }
}
