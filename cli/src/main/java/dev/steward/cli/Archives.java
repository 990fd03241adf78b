package dev.steward.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Packs a directory as a .tar.gz for upload: regular files and directories, modes kept, links refused; and unpacks
 * one into a directory, refusing any entry that would land outside it.
 */
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

    /**
     * Unpacks the .tar.gz {@code archive} into {@code dir} (made when missing): folders and regular files only. Every
     * entry is checked before anything is written: a name that is absolute or climbs out ({@code ..}), a link or a
     * device, or a path through a link already in {@code dir}, refuses the whole archive (exit 1) with nothing written.
     * Returns how many files were written.
     */
    static int unpack(Path archive, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        List<String> names = new java.util.ArrayList<>();
        try (var in = tarIn(archive)) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                boolean special = e.isSymbolicLink() || e.isLink() || e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO();
                if (special || (!e.isDirectory() && !e.isFile())) throw unsafe(e.getName(), "not a file or folder (a link or device)");
                target(root, e.getName());
                names.add(e.getName());
            }
        }
        Files.createDirectories(root);
        int files = 0;
        try (var in = tarIn(archive)) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                Path to = target(root, e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(to);
                    continue;
                }
                Files.createDirectories(to.getParent());
                target(root, e.getName()); // again: no link was made on the way meanwhile
                try (var out = Files.newOutputStream(to, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    in.transferTo(out);
                }
                if ((e.getMode() & 0100) != 0) to.toFile().setExecutable(true, false);
                files++;
            }
        }
        return files;
    }

    private static org.apache.commons.compress.archivers.tar.TarArchiveInputStream tarIn(Path archive) throws IOException {
        return new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(new java.io.BufferedInputStream(Files.newInputStream(archive))));
    }

    /** Where entry {@code name} goes inside {@code root}; refused when it would land outside it or go through a link. */
    private static Path target(Path root, String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty() || n.startsWith("/") || n.contains("\\") || List.of(n.split("/")).stream().anyMatch(c -> c.equals("..") || c.isEmpty())) {
            throw unsafe(name, "it is absolute or climbs out of the folder");
        }
        Path to = root.resolve(n).normalize();
        if (!to.startsWith(root) || to.equals(root)) throw unsafe(name, "it lands outside the folder");
        for (Path p = to; !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) throw unsafe(name, p + " is a link (nothing is written through one)");
        }
        return to;
    }

    private static CliException unsafe(String name, String why) {
        return new CliException(1, "the outputs were not unpacked: entry '" + name + "': " + why);
    }
}
