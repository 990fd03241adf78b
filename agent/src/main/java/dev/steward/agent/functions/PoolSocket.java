package dev.steward.agent.functions;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/**
 * The warm pool's unix socket: a pooled worker connects and says {@code ID\n} (at most 100 bytes);
 * its connection, kept open, is handed to {@code hello} with the id. A virtual thread accepts, one
 * more reads each hello.
 */
final class PoolSocket implements AutoCloseable {
    private final Path path;
    private final ServerSocketChannel server;
    private final BiConsumer<String, SocketChannel> hello;

    PoolSocket(Path path, BiConsumer<String, SocketChannel> hello) throws IOException {
        this.path = path;
        this.hello = hello;
        Files.createDirectories(path.getParent());
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread.ofVirtual().name("steward-fn-pool-accept").start(this::accept);
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread.ofVirtual().name("steward-fn-pool-hello").start(() -> readHello(c));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void readHello(SocketChannel c) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(100);
            while (buf.hasRemaining() && c.read(buf) > 0) {
                if (buf.get(buf.position() - 1) == '\n') {
                    hello.accept(new String(buf.array(), 0, buf.position() - 1, StandardCharsets.US_ASCII), c);
                    return;
                }
            }
        } catch (IOException e) {
            // a worker that went away
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the socket is replaced at the next start
        }
    }
}
