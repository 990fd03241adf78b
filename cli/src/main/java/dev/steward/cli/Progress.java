package dev.steward.cli;

import java.io.PrintStream;

/** A spinner on stderr while the CLI waits, when stderr is a terminal; one plain line otherwise. */
final class Progress implements AutoCloseable {
    private static final char[] FRAMES = {'|', '/', '-', '\\'};
    private final PrintStream err = System.err;
    private final boolean tty = System.console() != null;
    private final long t0 = System.nanoTime();
    private int frame;
    private String last = "";

    void show(String message) {
        if (tty) {
            err.print("\r\033[K" + FRAMES[frame++ % FRAMES.length] + " " + message + " (" + (System.nanoTime() - t0) / 100_000_000 / 10.0 + "s)");
            err.flush();
        } else if (!message.equals(last)) {
            err.println(message);
        }
        last = message;
    }

    @Override
    public void close() {
        if (tty) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
