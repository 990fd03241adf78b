package dev.steward.agent.spool;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A tar reader that bounds what it reads to find the next entry. Long names, PAX headers and sparse
 * maps are read into memory by the library, each header entry calling for the next: here the bytes
 * read while looking for one entry, and the chain of header entries before it, are limited, so that
 * a header of gigabytes or a million chained headers is refused before it fills the heap or the stack.
 */
final class TarReader extends TarArchiveInputStream {
    /** The most bytes read to find one entry: its header and every header entry before it. */
    static final long MAX_HEADERS = 1L << 20;
    /** The most header entries (long name, long link, PAX) before an entry. */
    static final int MAX_CHAIN = 16;
    private final Guard guard;
    private int depth;

    private TarReader(Guard guard) {
        super(guard);
        this.guard = guard;
    }

    static TarReader of(InputStream in) {
        return new TarReader(new Guard(in));
    }

    @Override
    public TarArchiveEntry getNextEntry() throws IOException {
        if (depth == 0) guard.headerStart = guard.count;
        if (++depth > MAX_CHAIN) throw new SpoolException("the archive chains more than " + MAX_CHAIN + " header entries before an entry");
        guard.inHeaders = true;
        try {
            return super.getNextEntry();
        } finally {
            guard.inHeaders = --depth > 0;
        }
    }

    /** Counts the bytes read, and refuses too many of them while headers are read. */
    private static final class Guard extends FilterInputStream {
        long count;
        long headerStart;
        boolean inHeaders;

        Guard(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            if (inHeaders && count - headerStart > MAX_HEADERS) {
                throw new SpoolException("the archive's headers for one entry (long names, PAX records) take more than " + MAX_HEADERS + " bytes");
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            int got = read(buf, 0, buf.length);
            return Math.max(got, 0);
        }
    }
}
