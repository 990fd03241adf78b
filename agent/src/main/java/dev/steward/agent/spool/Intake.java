package dev.steward.agent.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes uploads to disk as their bodies arrive, never whole on the heap: each within the archive
 * limit, all of them together within the spooling limit, held from the first byte until the upload
 * is unpacked or refused. The one owner of the count of bytes being spooled.
 */
public final class Intake {
    private static final String PREFIX = "upload-";
    /** What an upload of undeclared size reserves at a time. */
    static final long STEP = 1L << 20;
    private final Path dir;
    private final Limits limits;
    private final AtomicLong held = new AtomicLong();

    /** Removes what an agent stopped in the middle of an upload left in {@code dir}. */
    public Intake(Path dir, Limits limits) {
        this.dir = dir;
        this.limits = limits;
        Spooler.removeLeftovers(dir, PREFIX);
    }

    public Limits limits() {
        return limits;
    }

    /** Starts an upload whose request says it has {@code declared} bytes (negative: not said); refused at once over a limit. */
    public Upload begin(long declared) {
        if (declared > limits.maxArchive()) throw tooLarge();
        long first = Math.max(declared, 0);
        reserve(first);
        try {
            Files.createDirectories(dir);
            return new Upload(this, Files.createTempFile(dir, PREFIX, ".part"), first);
        } catch (IOException e) {
            release(first);
            throw new SpoolException("cannot take the upload: " + SpoolException.reason(e), e);
        }
    }

    /** The bytes uploads hold now. */
    public long held() {
        return held.get();
    }

    void reserve(long bytes) {
        long now;
        do {
            now = held.get();
            if (now + bytes > limits.maxSpooling()) {
                throw new UploadRefusedException(UploadRefusedException.Reason.BUSY, "the agent is taking " + now + " bytes of uploads already (limit: "
                        + limits.maxSpooling() + " at once); retry later");
            }
        } while (!held.compareAndSet(now, now + bytes));
    }

    void release(long bytes) {
        held.addAndGet(-bytes);
    }

    UploadRefusedException tooLarge() {
        return new UploadRefusedException(UploadRefusedException.Reason.TOO_LARGE, "the upload is larger than " + limits.maxArchive() + " bytes");
    }
}
