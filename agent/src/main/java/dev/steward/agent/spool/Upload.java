package dev.steward.agent.spool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** One upload being received into its temporary file; closing it removes the file and gives back what it held. */
public final class Upload implements AutoCloseable {
    private final Intake intake;
    private final Path file;
    private long reserved;
    private long size;

    Upload(Intake intake, Path file, long reserved) {
        this.intake = intake;
        this.file = file;
        this.reserved = reserved;
    }

    /** Copies {@code body} to the file as it comes, reserving more of the spooling limit past what was declared. */
    public void receive(InputStream body) throws IOException {
        long max = intake.limits().maxArchive();
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[64 << 10];
            int n;
            while ((n = body.read(buf)) > 0) {
                size += n;
                if (size > max) throw intake.tooLarge();
                if (size > reserved) {
                    long more = Math.min(max, Math.max(size, reserved + Intake.STEP)) - reserved;
                    intake.reserve(more);
                    reserved += more;
                }
                out.write(buf, 0, n);
            }
        }
    }

    public Path file() {
        return file;
    }

    public long size() {
        return size;
    }

    /** The format the upload's first bytes show. */
    public Optional<Format> format() throws IOException {
        byte[] head = new byte[Format.HEAD];
        try (InputStream in = Files.newInputStream(file)) {
            return Format.sniff(head, in.readNBytes(head, 0, head.length));
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("steward: cannot remove an upload: " + e.getMessage());
        }
        intake.release(reserved);
        reserved = 0;
    }
}
