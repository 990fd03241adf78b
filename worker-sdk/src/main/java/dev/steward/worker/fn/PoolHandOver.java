package dev.steward.worker.fn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * A worker of the warm pool starts with no function: it connects to the pool's socket
 * ({@code STEWARD_POOL}), says its id ({@code STEWARD_POOL_ID}) and waits there (the agent freezes it);
 * when a function takes it, the agent sends the function's environment as a msgpack map and closes.
 */
final class PoolHandOver {
    private PoolHandOver() {}

    /** {@code env} as it is, or, for a pooled worker, with what it was told once taken; empty when let go unused. */
    static java.util.Optional<Map<String, String>> await(Map<String, String> env) throws IOException {
        String pool = env.get("STEWARD_POOL");
        if (pool == null || pool.isEmpty()) return java.util.Optional.of(env);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(pool))) {
            ByteBuffer hello = ByteBuffer.wrap((env.getOrDefault("STEWARD_POOL_ID", "") + "\n").getBytes(StandardCharsets.US_ASCII));
            while (hello.hasRemaining()) ch.write(hello);
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            for (int n; (n = ch.read(buf.clear())) > 0; ) got.write(buf.array(), 0, n);
        }
        if (got.size() == 0) return java.util.Optional.empty();
        Map<String, String> out = new HashMap<>(env);
        out.remove("STEWARD_POOL");
        out.remove("STEWARD_POOL_ID");
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(got.toByteArray())) {
            for (int i = u.unpackMapHeader(); i > 0; i--) out.put(u.unpackString(), u.unpackString());
        }
        return java.util.Optional.of(out);
    }
}
