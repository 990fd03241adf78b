package dev.steward.agent.api;

import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import dev.steward.agent.spool.Format;
import dev.steward.agent.spool.Intake;
import dev.steward.agent.spool.SpoolException;
import dev.steward.agent.spool.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiFunction;

/** Archives uploaded to the API (apps', functions'): taken to disk within the spooling limits, handed on, then removed. */
final class Uploads {
    /** How long an upload may take to arrive. */
    static final Duration TIMEOUT = Duration.ofMinutes(10);
    private final Intake intake;

    Uploads(Intake intake) {
        this.intake = intake;
    }

    long maxArchive() {
        return intake.limits().maxArchive();
    }

    /**
     * Streams the body to a file as it arrives (within the upload limits), then hands it to {@code keep};
     * the file is gone once answered, whatever the answer. {@code what}: whose archive it is, for errors.
     */
    <T> T take(HttpRequest req, String what, BiFunction<Path, Format, T> keep) throws IOException {
        try (Upload upload = intake.begin(req.headers().contentLength())) {
            try (InputStream body = req.toInputStream(o -> o instanceof HttpData d ? d : HttpData.empty())) {
                upload.receive(body);
            } catch (IOException e) {
                throw cutOff(e);
            }
            if (upload.size() == 0) throw new ApiException(400, "the body must be the " + what + "'s archive (.tar.gz, .tar or .zip)");
            Format format = upload.format().orElseThrow(() -> new ApiException(400, "the body is not a .tar.gz, .tar or .zip archive"));
            return keep.apply(upload.file(), format);
        }
    }

    /** A body that was not stored whole: over the route's limit, the client gone, or the agent's disk failing. */
    private static RuntimeException cutOff(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ContentTooLargeException c) return c;
        }
        if (e instanceof java.nio.file.FileSystemException) return new IllegalStateException("cannot store the upload: " + SpoolException.reason(e));
        return new ApiException(400, "the upload did not arrive whole: " + e.getMessage());
    }
}
