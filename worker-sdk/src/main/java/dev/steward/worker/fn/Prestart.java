package dev.steward.worker.fn;

import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.ProtocolException;
import dev.steward.protocol.WorkerMessage;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;

/**
 * A worker started cold (not from the pool) sets up what its first call needs on a thread of its own, while its
 * main thread loads its function: the unix sockets (their class initializer seeds a {@code SecureRandom}, which
 * reads the security providers: a class cache keeps the classes, not what their initializers made), the
 * protocol's frames both ways, the virtual threads' scheduler. Whatever this thread has not done yet when the
 * main thread needs it, the main thread does (a class is initialized once, whoever comes first).
 */
final class Prestart {
    private Prestart() {}

    static void begin() {
        Thread.ofPlatform().daemon().name("steward-prestart").start(Prestart::run);
    }

    private static void run() {
        try (SocketChannel unused = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // opened and closed: the classes behind a connection are initialized
        } catch (IOException | UnsupportedOperationException e) {
            // the main thread says what is wrong when it connects
        }
        try {
            new FrameReader().feed(FrameWriter.encode(new WorkerMessage.Heartbeat().frame()));
        } catch (ProtocolException | RuntimeException e) {
            // the same
        }
        Thread.ofVirtual().name("steward-prestart-virtual").start(() -> { });
    }
}
