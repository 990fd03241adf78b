package dev.steward.agent.dynamic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a system tool ({@code ip}, {@code nft}) to its end, within a time limit; a failure says the command and its error output. */
final class Cmd {
    private static final long TIMEOUT_SECONDS = 20;

    private Cmd() {}

    static String run(List<String> argv) throws IOException {
        return run(argv, null);
    }

    /** Runs {@code argv} with {@code input} on its standard input (null: none); its output, or an IOException naming it. */
    static String run(List<String> argv, String input) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (input != null) in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        try {
            var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p), r -> Thread.ofVirtual().start(r));
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + ": no answer within " + TIMEOUT_SECONDS + "s");
            }
            String text = out.join().strip();
            if (p.exitValue() != 0) throw new IOException(String.join(" ", argv) + ": " + (text.isEmpty() ? "exit status " + p.exitValue() : text));
            return text;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", argv) + ": interrupted", e);
        }
    }

    private static String read(Process p) {
        try (var in = p.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
