package dev.steward.agent.spool;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a {@code .tar.gz}, {@code .tgz}, {@code .tar} or {@code .zip} into an empty directory,
 * refusing what could reach outside it: absolute names, {@code ..}, links pointing out, device and
 * fifo entries; and stopping at the size and entry limits (counting bytes as they are written, so a
 * zip bomb is cut off however it declares its sizes).
 */
final class Unpacker {
    private final Path target;
    private final Limits limits;
    private long written;
    private int entries;

    private Unpacker(Path target, Limits limits) {
        this.target = target.toAbsolutePath().normalize();
        this.limits = limits;
    }

    static boolean isArchive(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".tar.gz") || n.endsWith(".tgz") || n.endsWith(".tar") || n.endsWith(".zip");
    }

    static void unpack(Path archive, Path target, Limits limits) throws IOException {
        new Unpacker(target, limits).run(archive);
    }

    private void run(Path archive) throws IOException {
        String n = archive.getFileName().toString();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
             ArchiveInputStream<? extends ArchiveEntry> in = open(n, raw)) {
            ArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (++entries > limits.maxEntries()) throw new SpoolException("more than " + limits.maxEntries() + " entries");
                entry(in, e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static ArchiveInputStream<? extends ArchiveEntry> open(String name, InputStream raw) throws IOException {
        if (name.endsWith(".zip")) return new ZipArchiveInputStream(raw);
        if (name.endsWith(".tar")) return new TarArchiveInputStream(raw);
        return new TarArchiveInputStream(new GzipCompressorInputStream(raw));
    }

    private void entry(InputStream in, ArchiveEntry e) throws IOException {
        String name = e.getName();
        Path dest = inside(name, name);
        if (e instanceof TarArchiveEntry t) {
            if (t.isCharacterDevice() || t.isBlockDevice() || t.isFIFO()) throw new SpoolException(name + ": device and fifo entries are refused");
            if (t.isSymbolicLink()) {
                link(name, dest, t.getLinkName());
                return;
            }
            if (t.isLink()) {
                Path source = inside(t.getLinkName(), name + " (hard link to " + t.getLinkName() + ")");
                if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) throw new SpoolException(name + ": hard link to something not unpacked before it");
                Files.createDirectories(dest.getParent());
                Files.createLink(dest, source);
                return;
            }
        }
        if (e instanceof ZipArchiveEntry z && z.isUnixSymlink()) {
            link(name, dest, new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        if (e.isDirectory()) {
            Files.createDirectories(dest);
            return;
        }
        Files.createDirectories(dest.getParent());
        try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            copy(in, out, name);
        }
        if (executable(e)) Files.setPosixFilePermissions(dest, EXECUTABLE);
    }

    private static final Set<PosixFilePermission> EXECUTABLE = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);

    private static boolean executable(ArchiveEntry e) {
        int mode = e instanceof TarArchiveEntry t ? t.getMode() : e instanceof ZipArchiveEntry z ? z.getUnixMode() : 0;
        return (mode & 0100) != 0;
    }

    /** The path of {@code name} in the target; refused when it would be outside. */
    private Path inside(String name, String what) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\0") || name.matches("^[A-Za-z]:.*")) {
            throw new SpoolException(what + ": absolute or empty names are refused");
        }
        Path p = target.resolve(name).normalize();
        if (!p.startsWith(target) || p.equals(target) && !name.matches("\\.?/?")) {
            throw new SpoolException(what + ": the name leads outside the archive's directory");
        }
        for (Path part : target.relativize(p)) {
            if (part.toString().equals("..")) throw new SpoolException(what + ": '..' is refused");
        }
        // A link unpacked earlier must not carry a later entry outside.
        for (Path at = p.getParent(); at != null && !at.equals(target); at = at.getParent()) {
            if (Files.isSymbolicLink(at)) throw new SpoolException(what + ": the name goes through a symbolic link");
        }
        return p;
    }

    private void link(String name, Path dest, String linkTarget) throws IOException {
        if (linkTarget.startsWith("/")) throw new SpoolException(name + ": a symbolic link to an absolute path is refused");
        Path resolved = dest.getParent().resolve(linkTarget).normalize();
        if (!resolved.startsWith(target)) throw new SpoolException(name + ": a symbolic link pointing outside the archive's directory is refused");
        Files.createDirectories(dest.getParent());
        Files.createSymbolicLink(dest, Path.of(linkTarget));
    }

    private void copy(InputStream in, OutputStream out, String name) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            written += n;
            if (written > limits.maxBytes()) throw new SpoolException(name + ": the archive unpacks to more than " + limits.maxBytes() + " bytes");
            out.write(buf, 0, n);
        }
    }
}
