package dev.steward.worker.fn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** What a function may ask of Steward while it runs. */
public interface Steward {
    /**
     * Invokes {@code function}, declared in {@code calls:}, and returns its whole reply; its failure is
     * a {@link CallException} naming it. A {@code same-worker} callee runs in this process, an
     * {@code other-worker} one in a worker of its own, through the agent.
     */
    default byte[] invoke(String function, byte[] data) throws CallException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (Chunks c = stream(function, data)) {
            for (byte[] piece; (piece = c.next()) != null; ) out.writeBytes(piece);
        }
        return out.toByteArray();
    }

    /** Invokes {@code function} as {@link #invoke} does, its reply read chunk by chunk as it comes. */
    Chunks stream(String function, byte[] data) throws CallException;

    /** The directory the whole workflow shares (every function it calls sees the same path); made when first asked for. */
    Path workflow() throws IOException;

    /** This invocation's own directory inside the workflow's; made when first asked for. */
    Path scratch() throws IOException;

    /** The function's environment ({@code env:} of its {@code function.yaml} among it), as its worker was given it. */
    Map<String, String> environment();

    /** A callee's reply as it comes. */
    interface Chunks extends AutoCloseable {
        /** The next chunk, or null once the reply is complete; a failure of the callee is a {@link CallException} naming it. */
        byte[] next() throws CallException;

        /** Lets go of the reply (what is not read yet is dropped). */
        @Override
        void close();
    }
}
