package dev.steward.agent.dynamic;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * An instance's data on disk: inputs copied in, outputs copied out, state folders saved (in full, then put in
 * place of the earlier save, so a save never loses the one before) and restored. Links are copied as links.
 */
final class DataFolders {
    private DataFolders() {}

    /** Copies the tree {@code from} into {@code to} (made when missing), leaving out names that {@code exclude} matches. */
    static void copy(Path from, Path to, List<String> exclude) throws IOException {
        List<PathMatcher> matchers = exclude.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
        Files.createDirectories(to);
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(from) && excluded(dir, matchers)) return FileVisitResult.SKIP_SUBTREE;
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!excluded(file, matchers)) {
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static boolean excluded(Path p, List<PathMatcher> matchers) {
        Path name = p.getFileName();
        return name != null && matchers.stream().anyMatch(m -> m.matches(name));
    }

    /**
     * Copies each saved state folder back into the instance's {@code root}; none saved yet is no failure. A save cut
     * short between its two moves left only the one before, beside: that one is restored.
     */
    static int restore(Path saved, Path root, List<String> state) throws IOException {
        if (!Files.isDirectory(saved)) saved = saved.resolveSibling(saved.getFileName() + ".old");
        int restored = 0;
        for (String s : state) {
            Path from = saved.resolve(s);
            if (Files.isDirectory(from)) {
                copy(from, root.resolve(s), List.of());
                restored++;
            }
        }
        return restored;
    }

    /** Saves the state folders of {@code root} to {@code saved}: copied whole beside it first, then swapped in. */
    static void save(Path root, List<String> state, List<String> exclude, Path saved) throws IOException {
        Path fresh = saved.resolveSibling(saved.getFileName() + ".saving");
        Path old = saved.resolveSibling(saved.getFileName() + ".old");
        delete(fresh);
        Files.createDirectories(fresh);
        for (String s : state) {
            Path from = root.resolve(s);
            if (Files.isDirectory(from)) copy(from, fresh.resolve(s), exclude);
        }
        delete(old);
        if (Files.exists(saved)) Files.move(saved, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(fresh, saved, StandardCopyOption.ATOMIC_MOVE);
        delete(old);
    }

    /**
     * Packs the tree {@code dir} into the file {@code archive} (.tar.gz) as it is now: its folders and regular files
     * only, never following a link (a link, to anywhere, or another special file is left out, and counted), nor a
     * folder swapped for a link while it is packed (a file whose folder no longer lies inside {@code dir} is left out).
     * A file written meanwhile is taken at the size it had when opened. Returns how many entries were left out.
     */
    static int pack(Path dir, Path archive) throws IOException {
        Path real = dir.toRealPath();
        int[] leftOut = {0};
        try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                new org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(archive))))) {
            out.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_POSIX);
            Files.walkFileTree(real, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    if (d.equals(real)) return FileVisitResult.CONTINUE;
                    var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(real.relativize(d).toString() + "/");
                    e.setModTime(attrs.lastModifiedTime());
                    out.putArchiveEntry(e);
                    out.closeArchiveEntry();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (!attrs.isRegularFile() || !packFile(real, file, out)) leftOut[0]++;
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    leftOut[0]++; // gone or unreadable meanwhile
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return leftOut[0];
    }

    /** Packs one regular file, opened without following a link; false (left out) when it is no longer a file inside {@code real}. */
    private static boolean packFile(Path real, Path file, org.apache.commons.compress.archivers.tar.TarArchiveOutputStream out) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (!file.getParent().toRealPath().startsWith(real)) return false; // a folder on its way was swapped for a link
            var a = Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) return false;
            long size = ch.size();
            var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(real.relativize(file).toString());
            e.setSize(size);
            e.setModTime(a.lastModifiedTime());
            e.setMode(a.permissions().contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE) ? 0100755 : 0100644);
            out.putArchiveEntry(e);
            var in = java.nio.channels.Channels.newInputStream(ch);
            long left = size;
            byte[] buf = new byte[64 * 1024];
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) { // cut short while packed: the rest as zeros, so the archive stays whole
                    java.util.Arrays.fill(buf, (byte) 0);
                    n = (int) Math.min(buf.length, left);
                }
                out.write(buf, 0, n);
                left -= n;
            }
            out.closeArchiveEntry();
            return true;
        } catch (java.nio.file.FileSystemException e) {
            return false; // a link (ELOOP), gone or unreadable: left out
        }
    }

    /** Removes a tree; what is missing is no failure. */
    static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
