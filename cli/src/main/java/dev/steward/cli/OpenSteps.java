package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The steps of an instance being opened, shown as they happen: each on a line of stderr with its duration, read
 * from the agent's event stream, and a spinner while the next is under way (on a terminal), until the instance
 * is running or failed.
 */
final class OpenSteps {
    /** Ends the stream once the instance reached the state it was opened for. */
    private static final class Settled extends RuntimeException {
        Settled() {
            super(null, null, false, false);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private String current = "";

    /** Follows {@code uuid}'s events until it is running or failed; its view then. */
    JsonNode follow(ApiClient c, String uuid) throws IOException {
        try (Progress p = new Progress()) {
            Thread spinner = Thread.ofVirtual().start(() -> spin(p, uuid));
            try {
                c.stream("/v1/events?after=0&instance=" + uuid, new EventsCommand.Lines(e -> shown(p, e)));
            } catch (Settled done) {
                // running or failed
            } finally {
                spinner.interrupt();
                join(spinner);
            }
        }
        return c.get("/v1/dynamic/" + uuid);
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void shown(Progress p, JsonNode e) {
        String type = e.path("type").asText();
        if (type.equals("step")) {
            String ok = e.path("ok").asBoolean() ? "done" : "FAILED";
            String why = e.path("reason").asText("");
            line(p, String.format("  %-24s %s in %d ms%s", e.path("step").asText(), ok, e.path("millis").asLong(), why.isEmpty() ? "" : ": " + why));
            lock.lock();
            try {
                current = "after " + e.path("step").asText();
            } finally {
                lock.unlock();
            }
        } else if (type.equals("dynamic") && (e.path("state").asText().equals("running") || e.path("state").asText().equals("failed"))) {
            throw new Settled();
        }
    }

    private void line(Progress p, String text) {
        lock.lock();
        try {
            p.close(); // clears the spinner's line on a terminal
            System.err.println(text);
            System.err.flush();
        } finally {
            lock.unlock();
        }
    }

    private void spin(Progress p, String uuid) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                lock.lock();
                try {
                    if (System.console() != null) p.show("opening " + uuid + (current.isEmpty() ? "" : ": " + current));
                } finally {
                    lock.unlock();
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            // done
        }
    }
}
