package dev.steward.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Packs a directory as a .tar.gz for upload: regular files and directories, modes kept, links refused. */
final class Archives {
    private Archives() {}

    /** PUTs {@code source} to {@code path}: an archive as it is, a directory packed as a .tar.gz first. */
    static com.fasterxml.jackson.databind.JsonNode upload(ApiClient client, String path, Path source) throws IOException {
        if (Files.isRegularFile(source)) return client.upload("PUT", path, source);
        if (!Files.isDirectory(source)) throw new CliException(2, source + ": no such directory or archive");
        Path packed = Files.createTempFile("steward-upload-", ".tar.gz");
        try {
            tarGz(source, packed);
            return client.upload("PUT", path, packed);
        } finally {
            Files.deleteIfExists(packed);
        }
    }

    /** Packs the directory {@code dir} (named {@code what} if it is not one: exit 2) and hands the archive to {@code send}. */
    static com.fasterxml.jackson.databind.JsonNode sendDir(Path dir, String what,
                                                           java.util.function.Function<Path, com.fasterxml.jackson.databind.JsonNode> send) throws IOException {
        if (!Files.isDirectory(dir)) throw new CliException(2, what + ": " + dir + " is not a directory");
        Path packed = Files.createTempFile("steward-inputs-", ".tar.gz");
        try {
            tarGz(dir, packed);
            return send.apply(packed);
        } finally {
            Files.deleteIfExists(packed);
        }
    }

    /** Packs {@code dir} into the file {@code archive} (streamed: no archive is held in memory). */
    static void tarGz(Path dir, Path archive) throws IOException {
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(new GzipCompressorOutputStream(
                new java.io.BufferedOutputStream(Files.newOutputStream(archive))));
             Stream<Path> walk = Files.walk(dir)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            List<Path> paths = walk.filter(p -> !p.equals(dir)).sorted().toList();
            for (Path p : paths) {
                String name = dir.relativize(p).toString().replace('\\', '/');
                if (Files.isSymbolicLink(p)) throw new CliException(2, p + ": links are not packed; copy the file in");
                TarArchiveEntry e = new TarArchiveEntry(p.toFile(), Files.isDirectory(p) ? name + "/" : name);
                // the mode as on disk: an app's worker must stay executable
                if (Files.isRegularFile(p)) e.setMode(Files.isExecutable(p) ? 0100755 : 0100644);
                out.putArchiveEntry(e);
                if (Files.isRegularFile(p)) Files.copy(p, out);
                out.closeArchiveEntry();
            }
        }
    }
}
