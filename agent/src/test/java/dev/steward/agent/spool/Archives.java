package dev.steward.agent.spool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds archives for the tests, hostile ones included: any name, any tar type, bombs that inflate to gigabytes. */
public final class Archives {
    private Archives() {}

    /** One entry: its name, tar type, content (for a link: its target) and mode. */
    public record E(String name, byte type, String content, int mode) {
        public static E file(String name, String content) {
            return new E(name, TarConstants.LF_NORMAL, content, 0644);
        }

        public static E exec(String name, String content) {
            return new E(name, TarConstants.LF_NORMAL, content, 0755);
        }

        public static E dir(String name) {
            return new E(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, "", 0755);
        }

        public static E symlink(String name, String target) {
            return new E(name, TarConstants.LF_SYMLINK, target, 0777);
        }

        public static E hardlink(String name, String target) {
            return new E(name, TarConstants.LF_LINK, target, 0644);
        }

        public static E of(String name, byte type) {
            return new E(name, type, "", 0644);
        }

        public E mode(int m) {
            return new E(name, type, content, m);
        }

        boolean isLink() {
            return type == TarConstants.LF_SYMLINK || type == TarConstants.LF_LINK;
        }
    }

    /** A tar (gzipped when {@code p} ends in {@code .gz}) of {@code entries}, names kept as given (absolute, long, with {@code ..}). */
    public static Path tar(Path p, List<E> entries) throws IOException {
        try (OutputStream f = Files.newOutputStream(p);
             TarArchiveOutputStream out = new TarArchiveOutputStream(p.toString().endsWith(".gz") ? new GzipCompressorOutputStream(f) : f)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (E e : entries) {
                TarArchiveEntry t = new TarArchiveEntry(e.name(), e.type(), true);
                byte[] b = e.content().getBytes(StandardCharsets.UTF_8);
                if (e.isLink()) t.setLinkName(e.content());
                else if (e.type() != TarConstants.LF_DIR) t.setSize(b.length);
                t.setMode(e.mode());
                out.putArchiveEntry(t);
                if (!e.isLink() && e.type() != TarConstants.LF_DIR) out.write(b);
                out.closeArchiveEntry();
            }
        }
        return p;
    }

    /** A .tar.gz of one directory entry {@code times} times: its header written once and copied. */
    public static Path sameDirectory(Path p, String name, int times) throws IOException {
        TarArchiveEntry t = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, true);
        byte[] header = new byte[512];
        t.writeEntryHeader(header);
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(p))) {
            for (int i = 0; i < times; i++) out.write(header);
            out.write(new byte[1024]);
        }
        return p;
    }

    /** A zip of {@code entries}: files and directories; a symbolic link is marked as one in the central directory. */
    public static Path zip(Path p, List<E> entries) throws IOException {
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(p))) {
            for (E e : entries) {
                ZipArchiveEntry z = new ZipArchiveEntry(e.name());
                z.setUnixMode((e.type() == TarConstants.LF_SYMLINK ? 0120000 : e.type() == TarConstants.LF_DIR ? 040000 : 0100000) | e.mode());
                out.putArchiveEntry(z);
                out.write(e.content().getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        return p;
    }

    /**
     * A .tar.gz of about {@code declared / 1000} bytes with one entry of {@code declared} zero bytes: a
     * tar header, then deflate blocks of a MiB of zeros each, repeated. Made in milliseconds; it stops
     * where a reader refuses it, so it has no gzip trailer.
     */
    public static Path tarGzBomb(Path p, String name, byte type, long declared) throws IOException {
        TarArchiveEntry t = new TarArchiveEntry(name, type, true);
        t.setSize(declared);
        if (type == TarConstants.LF_SYMLINK) t.setLinkName("target");
        byte[] header = new byte[512];
        t.writeEntryHeader(header);
        try (OutputStream out = Files.newOutputStream(p)) {
            out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
            zeros(out, header, declared);
        }
        return p;
    }

    /** A .zip whose one entry, sizes left to a data descriptor, inflates to {@code declared} zero bytes. */
    public static Path zipBomb(Path p, String name, long declared) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream lfh = new ByteArrayOutputStream();
        lfh.writeBytes(new byte[] {'P', 'K', 3, 4, 20, 0, 8, 0, 8, 0, 0, 0, 0, 0});
        lfh.writeBytes(new byte[12]); // crc, compressed and uncompressed sizes: in the data descriptor
        lfh.writeBytes(new byte[] {(byte) n.length, (byte) (n.length >> 8), 0, 0});
        lfh.writeBytes(n);
        try (OutputStream out = Files.newOutputStream(p)) {
            out.write(lfh.toByteArray());
            zeros(out, new byte[0], declared);
        }
        return p;
    }

    /** Raw deflate of {@code first} then {@code count} zero bytes, as repeated flushed blocks. */
    private static void zeros(OutputStream out, byte[] first, long count) throws IOException {
        Deflater d = new Deflater(9, true);
        out.write(flushed(d, first));
        byte[] mib = new byte[1 << 20];
        byte[] previous = null;
        long left = count / mib.length;
        while (left > 0) {
            byte[] block = flushed(d, mib);
            left--;
            out.write(block);
            if (Arrays.equals(block, previous)) break; // from here on every MiB deflates the same
            previous = block;
        }
        for (; left > 0; left--) out.write(previous);
        d.end();
    }

    private static byte[] flushed(Deflater d, byte[] input) {
        d.setInput(input);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[64 << 10];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            b.write(buf, 0, n);
        } while (n == buf.length || !d.needsInput());
        return b.toByteArray();
    }
}
