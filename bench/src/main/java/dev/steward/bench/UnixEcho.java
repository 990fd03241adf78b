package dev.steward.bench;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** The floor's other process: echoes whatever comes on each connection to a unix socket, one thread per connection. */
public final class UnixEcho {
    private UnixEcho() {}

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        Files.deleteIfExists(path);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            System.out.println("ready");
            System.out.flush();
            while (true) {
                SocketChannel ch = server.accept();
                Thread.ofPlatform().daemon().start(() -> {
                    ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
                    try (ch) {
                        while (ch.read(buf.clear()) > 0) {
                            buf.flip();
                            while (buf.hasRemaining()) ch.write(buf);
                        }
                    } catch (Exception e) {
                        // the bench hung up
                    }
                });
            }
        }
    }
}
