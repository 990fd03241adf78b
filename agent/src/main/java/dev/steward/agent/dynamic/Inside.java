package dev.steward.agent.dynamic;

import dev.steward.agent.isolate.os.LibC;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a call inside a network namespace: on a platform thread of its own that enters the namespace, so
 * the sockets it opens are the namespace's (a part listening on localhost is reached), and that ends with it.
 */
final class Inside {
    private Inside() {}

    static <T> T call(Path netns, Callable<T> call) throws IOException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().name("steward-netns").start(() -> {
            int fd = LibC.INSTANCE.open(netns.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (fd < 0) {
                result.completeExceptionally(new IOException("cannot open " + netns));
                return;
            }
            try {
                if (LibC.INSTANCE.setns(fd, LibC.CLONE_NEWNET) != 0) {
                    result.completeExceptionally(new IOException("cannot enter " + netns));
                    return;
                }
                result.complete(call.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            } finally {
                LibC.INSTANCE.close(fd);
            }
        });
        try {
            t.join();
            return result.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        }
    }
}
