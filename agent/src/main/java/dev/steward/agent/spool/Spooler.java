package dev.steward.agent.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Fetches code for instances: a directory is used where it is; an archive is unpacked once into
 * {@code spool/<sha256>} (a second spool of the same bytes finds it there). Unpacking goes to a
 * temporary directory first and is moved into place whole, so a refused archive leaves nothing.
 */
public final class Spooler {
    private final Path cache;
    private final Limits limits;
    /** Archives already spooled, by path, size and modification time: so that each spawn does not hash them again. */
    private final java.util.Map<Path, Known> known = new java.util.concurrent.ConcurrentHashMap<>();

    private record Known(long size, java.nio.file.attribute.FileTime modified, Path dest) {}

    public Spooler(Path cache, Limits limits) {
        this.cache = cache;
        this.limits = limits;
    }

    public static boolean isArchive(Path p) {
        return Files.isRegularFile(p) && Unpacker.isArchive(p);
    }

    /** The directory to run from: {@code source} itself when it is a directory, its unpacked copy when an archive. */
    public Path spool(Path source) {
        if (Files.isDirectory(source)) return source;
        if (!isArchive(source)) throw new SpoolException(source + " is neither a directory nor a .tar.gz, .tgz, .tar or .zip archive");
        try {
            long size = Files.size(source);
            java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(source);
            Known k = known.get(source);
            if (k != null && k.size() == size && k.modified().equals(modified) && Files.isDirectory(k.dest())) return k.dest();
            Path dest = cache.resolve(sha256(source));
            known.put(source, new Known(size, modified, dest));
            if (Files.isDirectory(dest)) return dest;
            Files.createDirectories(cache);
            Path tmp = Files.createTempDirectory(cache, ".unpacking-");
            try {
                Unpacker.unpack(source, tmp, limits);
                moveIntoPlace(tmp, dest);
            } catch (IOException | RuntimeException e) {
                delete(tmp);
                throw e instanceof SpoolException s ? s : new SpoolException(source.getFileName() + ": cannot unpack: " + e.getMessage(), e);
            }
            return dest;
        } catch (IOException e) {
            throw new SpoolException("cannot spool " + source + ": " + e.getMessage(), e);
        }
    }

    private static void moveIntoPlace(Path tmp, Path dest) throws IOException {
        try {
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            delete(tmp); // spooled meanwhile by someone else: same bytes, same result
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dest);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void delete(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("steward: cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
