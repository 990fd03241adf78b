package dev.steward.agent.isolate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine client against a small HTTP/1.1 server on a real unix socket, which answers as the engine does. */
class EngineApiTest {
    @TempDir
    Path dir;
    private Engine engine;

    @AfterEach
    void close() throws IOException {
        if (engine != null) engine.close();
    }

    @Test
    void answersOfAKnownLengthAndChunkedOnesAreReadOverOneKeptConnection() throws Exception {
        engine = new Engine(dir, req -> req.startsWith("GET /v1.41/containers/a/json")
                ? ok("{\"State\":{\"Pid\":42,\"Running\":true}}")
                : chunked("{\"Id\":", "\"abc\"}"));
        EngineApi api = EngineApi.of("unix://" + engine.path, Duration.ofSeconds(5));

        EngineApi.Answer inspect = api.call("GET", "/containers/a/json", null);
        EngineApi.Answer created = api.call("POST", "/containers/create?name=x", dev.steward.agent.Json.object().put("Image", "i"));

        assertThat(inspect.status()).isEqualTo(200);
        assertThat(inspect.json().path("State").path("Pid").asLong()).isEqualTo(42);
        assertThat(created.json().path("Id").asText()).isEqualTo("abc");
        assertThat(engine.requests).containsExactly("GET /v1.41/containers/a/json HTTP/1.1", "POST /v1.41/containers/create?name=x HTTP/1.1");
        assertThat(engine.bodies.get(1)).isEqualTo("{\"Image\":\"i\"}");
        assertThat(engine.connections.get()).as("connections opened").isEqualTo(1);
    }

    @Test
    void aKeptConnectionTheEngineClosedIsReplacedAndTheCallIsMadeOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        // the first answer says it keeps the connection, then the engine closes it (an idle timeout)
        engine = new Engine(dir, req -> calls.incrementAndGet() == 1 ? ok("{}") + Engine.CLOSE : ok("{\"n\":2}"));
        EngineApi api = EngineApi.of("unix://" + engine.path, Duration.ofSeconds(5));
        api.call("GET", "/one", null);
        engine.awaitClosed(1);

        EngineApi.Answer second = api.call("POST", "/containers/x/kill?signal=SIGTERM", null);

        assertThat(second.json().path("n").asInt()).isEqualTo(2);
        assertThat(calls.get()).as("requests the engine read").isEqualTo(2);
        assertThat(engine.connections.get()).isEqualTo(2);
    }

    @Test
    void aFailureCarriesTheEnginesOwnWords() throws Exception {
        engine = new Engine(dir, req -> answer(404, "{\"cause\":\"no such image\",\"message\":\"busybox:9: image not known\"}"));
        EngineApi api = EngineApi.of("unix://" + engine.path, Duration.ofSeconds(5));

        EngineApi.Answer a = api.call("POST", "/containers/create", dev.steward.agent.Json.object());

        assertThat(a.ok()).isFalse();
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.describe()).isEqualTo("status 404: busybox:9: image not known");
    }

    @Test
    void anEngineThatDoesNotAnswerIsGivenUpOnAfterTheTimeout() throws Exception {
        engine = new Engine(dir, req -> Engine.SILENT);
        EngineApi api = EngineApi.of("unix://" + engine.path, Duration.ofMillis(300));

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> api.call("GET", "/containers/a/json", null)).isInstanceOf(IOException.class)
                .hasMessageContaining("no answer from the container engine within 300ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aFollowedOutputIsReadAsItComesAndItsFramesAreJoined() throws Exception {
        // the engine sends even the head of a followed output only with its first bytes: the stream must not wait for it
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        engine = new Engine(dir, req -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunk(frame(1, "hello\n") + frame(2, "oops\n")) + chunk(frame(1, "bye\n")) + "0\r\n\r\n";
        });
        EngineApi api = EngineApi.of("unix://" + engine.path, Duration.ofSeconds(5));

        InputStream in = api.stream("/containers/a/logs?follow=1");
        go.countDown();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (in) {
            Frames.copy(in, out);
        }

        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo("hello\noops\nbye\n");
    }

    @Test
    void aTerminalsOutputIsCopiedAsItIs() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Frames.copy(new java.io.ByteArrayInputStream("plain text, no frames\n".getBytes(StandardCharsets.UTF_8)), out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("plain text, no frames\n");
    }

    @Test
    void anAddressNeitherUnixNorTcpIsRefusedByName() {
        assertThatThrownBy(() -> EngineApi.of("ftp://engine:21", Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ftp://engine:21").hasMessageContaining("unix:///PATH or tcp://HOST:PORT");
    }

    // ---- the engine's side -----------------------------------------------------------------

    private static String ok(String json) {
        return answer(200, json);
    }

    private static String answer(int status, String json) {
        return "HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + json.length() + "\r\n\r\n" + json;
    }

    private static String chunked(String... parts) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (String p : parts) sb.append(chunk(p));
        return sb.append("0\r\n\r\n").toString();
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
    }

    private static String frame(int stream, String payload) {
        int n = payload.length();
        return new String(new byte[] {(byte) stream, 0, 0, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n},
                StandardCharsets.ISO_8859_1) + payload;
    }

    /** Reads requests on a unix socket and writes what {@code answer} gives for each (ISO-8859-1 text). */
    private static final class Engine implements AutoCloseable {
        static final String CLOSE = "\u0000close";
        static final String SILENT = "\u0000silent";
        final Path path;
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<String> bodies = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        private final ServerSocketChannel server;
        private final Function<String, String> answer;

        Engine(Path dir, Function<String, String> answer) throws IOException {
            this.path = dir.resolve("engine.sock");
            this.answer = answer;
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Thread.ofVirtual().start(this::accept);
        }

        private void accept() {
            try {
                while (true) {
                    SocketChannel ch = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(ch));
                }
            } catch (IOException e) {
                // closed
            }
        }

        private void serve(SocketChannel ch) {
            try (ch; InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(ch))) {
                while (true) {
                    String line = line(in);
                    if (line == null) return;
                    requests.add(line);
                    int length = 0;
                    for (String h; !(h = line(in)).isEmpty(); ) {
                        if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).strip());
                    }
                    bodies.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
                    String a = answer.apply(line);
                    if (a.equals(SILENT)) {
                        in.read(); // until the client gives up and closes
                        return;
                    }
                    boolean close = a.endsWith(CLOSE);
                    if (close) a = a.substring(0, a.length() - CLOSE.length());
                    ByteBuffer b = ByteBuffer.wrap(a.getBytes(StandardCharsets.ISO_8859_1));
                    while (b.hasRemaining()) ch.write(b);
                    if (close) return;
                }
            } catch (IOException e) {
                // the client went
            } finally {
                closed.incrementAndGet();
            }
        }

        void awaitClosed(int n) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (closed.get() < n && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(closed.get()).as("connections the engine closed").isGreaterThanOrEqualTo(n);
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int c = in.read();
                if (c < 0) return sb.isEmpty() ? null : sb.toString();
                if (c == '\n') return sb.toString();
                if (c != '\r') sb.append((char) c);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            Files.deleteIfExists(path);
        }
    }
}
