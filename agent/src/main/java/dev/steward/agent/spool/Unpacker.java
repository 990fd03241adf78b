package dev.steward.agent.spool;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;

/**
 * Unpacks an archive into an empty private directory (see {@link Root} for how each path is made and
 * {@link Entry} for what is refused). Every byte of entry data is counted as it is read, written or
 * not, so a bomb is stopped by the size or the ratio limit however its headers declare sizes. A
 * refusal names the entry and the problem; it never carries a path of the agent's or file content.
 */
final class Unpacker {
    private final Root root;
    private final Limits limits;
    private final Counted raw;
    private long unpacked;
    private int entries;

    private Unpacker(Root root, Limits limits, Counted raw) {
        this.root = root;
        this.limits = limits;
        this.raw = raw;
    }

    static void unpack(Path archive, Format format, Path target, Limits limits) throws IOException {
        try (Counted raw = new Counted(Files.newInputStream(archive))) {
            Unpacker u = new Unpacker(new Root(target), limits, raw);
            try (ArchiveInputStream<? extends ArchiveEntry> in = format.open(new BufferedInputStream(raw, 8192))) {
                u.run(in);
            } catch (IOException | RuntimeException e) {
                throw e instanceof SpoolException s ? s : corrupt(e, u.entries);
            }
        }
    }

    private void run(ArchiveInputStream<? extends ArchiveEntry> in) throws IOException {
        ArchiveEntry e;
        while ((e = in.getNextEntry()) != null) {
            if (++entries > limits.maxEntries()) throw new SpoolException("the archive has more than " + limits.maxEntries() + " entries");
            Entry entry = Entry.of(e, limits);
            try {
                unpack(in, entry);
            } catch (FileAlreadyExistsException x) {
                throw entry.path().refused("is in the archive twice");
            } catch (FileSystemException x) {
                throw entry.path().refused("cannot be written: " + SpoolException.reason(x));
            }
        }
        if (entries == 0) throw new SpoolException("the archive has no entries (is it truncated?)");
        root.checkLinks();
    }

    private void unpack(InputStream in, Entry entry) throws IOException {
        switch (entry) {
            case Entry.File f -> {
                try (OutputStream out = root.file(f.path())) {
                    copy(in, out, f.path());
                }
                root.finish(f.path(), f.executable());
            }
            case Entry.Directory d -> root.directory(d.path());
            case Entry.Symlink s -> root.symlink(s.path(), s.target());
            case Entry.Hardlink h -> root.hardlink(h.path(), h.source());
        }
        copy(in, OutputStream.nullOutputStream(), entry.path()); // data a link or directory carries, counted too
    }

    private void copy(InputStream in, OutputStream out, EntryPath path) throws IOException {
        byte[] buf = new byte[64 << 10];
        int n;
        while ((n = in.read(buf)) > 0) {
            count(n, path);
            out.write(buf, 0, n);
        }
    }

    private void count(int n, EntryPath path) {
        unpacked += n;
        if (unpacked > limits.maxBytes()) {
            throw path.refused("the archive unpacks to more than " + limits.maxBytes() + " bytes");
        }
        if (unpacked > Limits.RATIO_FREE && unpacked > (double) limits.maxRatio() * raw.count) {
            throw path.refused("the archive inflates to more than " + limits.maxRatio() + " times its size (a compression bomb?)");
        }
    }

    /** A failure to read the archive: the library's message, which names no path of ours. */
    private static SpoolException corrupt(Exception e, int entries) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (m.length() > 200) m = m.substring(0, 200) + "…";
        return new SpoolException("the archive is corrupt or truncated" + (entries > 0 ? " after " + entries + " entries" : "") + ": " + m, e);
    }

    /** Counts the archive's own bytes as they are read, for the ratio. */
    private static final class Counted extends FilterInputStream {
        long count;

        Counted(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
