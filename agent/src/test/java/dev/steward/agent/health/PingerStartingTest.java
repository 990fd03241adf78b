package dev.steward.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.steward.model.Ping;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An HTTP check while the instance starts: nothing listening is told at once; once something listens, the HTTP answer counts. */
class PingerStartingTest {
    private final Pinger pinger = new Pinger();
    private final Ping.Check http = new Ping.Check.Http("/ready");

    @Test
    void whileStartingAPortWhereNothingListensFailsAsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        PingResult r = pinger.check(http, "127.0.0.1", port, Duration.ofSeconds(1), Path.of("."), Map.of(), true);
        assertThat(r.passed()).isFalse();
        assertThat(r.message()).isEqualTo("http /ready: connection refused");
    }

    @Test
    void whileStartingAndAfterAListeningProgramIsAskedOverHttp() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ready", x -> {
            asked.incrementAndGet();
            x.sendResponseHeaders(asked.get() == 1 ? 503 : 200, -1);
            x.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            PingResult first = pinger.check(http, "127.0.0.1", port, Duration.ofSeconds(5), Path.of("."), Map.of(), true);
            assertThat(first.passed()).as(first.message()).isFalse();
            assertThat(first.message()).isEqualTo("http /ready: status 503");
            PingResult second = pinger.check(http, "127.0.0.1", port, Duration.ofSeconds(5), Path.of("."), Map.of(), false);
            assertThat(second.passed()).as(second.message()).isTrue();
            assertThat(asked).hasValue(2);
        } finally {
            server.stop(0);
        }
    }

    /** One connection to a listener of the test's: what the check sent (its head), after {@code answer} was sent back (null: none). */
    private static String oneExchange(ServerSocket listener, String answer, java.util.concurrent.atomic.AtomicReference<String> sent) {
        try (java.net.Socket c = listener.accept()) {
            c.setSoTimeout(10_000);
            java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
            java.io.InputStream in = c.getInputStream();
            while (!head.toString(java.nio.charset.StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) break;
                head.write(b);
            }
            sent.set(head.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
            if (answer != null) {
                c.getOutputStream().write(answer.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                c.getOutputStream().flush();
            } else {
                Thread.sleep(2000); // says nothing: the check times out meanwhile
            }
            return sent.get();
        } catch (Exception e) {
            return null;
        }
    }

    @Test
    void anHttpCheckAsksWithOneGetAndReadsTheStatusAndTheRecommendation() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = s.getLocalPort();
            var sent = new java.util.concurrent.atomic.AtomicReference<String>();
            Thread server = Thread.ofVirtual().start(() -> oneExchange(s, "HTTP/1.0 200 OK\r\nx-steward-recommend:  3 \r\nContent-Length: 5\r\n\r\nfine!", sent));
            PingResult r = pinger.check(http, "127.0.0.1", port, Duration.ofSeconds(5), Path.of("."), Map.of(), true);
            server.join();
            assertThat(r.passed()).as(r.message()).isTrue();
            assertThat(r.recommend()).isEqualTo(3);
            assertThat(sent.get()).startsWith("GET /ready HTTP/1.1\r\n").contains("Host: 127.0.0.1:" + port + "\r\n", "Connection: close\r\n");

            server = Thread.ofVirtual().start(() -> oneExchange(s, "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\n\r\n", sent));
            PingResult redirect = pinger.check(http, "127.0.0.1", port, Duration.ofSeconds(5), Path.of("."), Map.of());
            server.join();
            assertThat(redirect.passed()).as("3xx passes").isTrue();
            assertThat(redirect.recommend()).isNull();

            server = Thread.ofVirtual().start(() -> oneExchange(s, "SSH-2.0-OpenSSH_9.2\r\n\r\n", sent));
            PingResult notHttp = pinger.check(http, "127.0.0.1", port, Duration.ofSeconds(5), Path.of("."), Map.of());
            server.join();
            assertThat(notHttp.passed()).isFalse();
            assertThat(notHttp.message()).isEqualTo("http /ready: not an HTTP response: 'SSH-2.0-OpenSSH_9.2'");

            server = Thread.ofVirtual().start(() -> oneExchange(s, null, sent));
            PingResult silent = pinger.check(http, "127.0.0.1", port, Duration.ofMillis(300), Path.of("."), Map.of());
            assertThat(silent.passed()).isFalse();
            assertThat(silent.message()).isEqualTo("http /ready: timed out after 300ms");
            server.join();

            PingResult badPath = pinger.check(new Ping.Check.Http("/a b"), "127.0.0.1", port, Duration.ofSeconds(1), Path.of("."), Map.of());
            assertThat(badPath.passed()).isFalse();
            assertThat(badPath.message()).startsWith("http /a b: not a valid path");
        }
    }

    @Test
    void whileStartingAPortThatDoesNotAnswerAConnectFailsAsTimedOutNotAsRefused() throws Exception {
        // a listener that never accepts, its backlog filled: the kernel drops further connects, which time out
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = s.getLocalPort();
            java.util.List<java.net.Socket> held = new java.util.ArrayList<>();
            try {
                String unreachable = null;
                for (int i = 0; i < 64 && unreachable == null; i++) {
                    java.net.Socket c = new java.net.Socket();
                    held.add(c);
                    try {
                        c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    } catch (java.net.SocketTimeoutException e) {
                        unreachable = "filled";
                    }
                }
                assertThat(unreachable).as("a connect timed out once the backlog was full").isNotNull();
                PingResult r = pinger.check(http, "127.0.0.1", port, Duration.ofMillis(300), Path.of("."), Map.of(), true);
                assertThat(r.passed()).isFalse();
                assertThat(r.message()).isEqualTo("http /ready: connect timed out after 300ms");
                PingResult t = pinger.check(new Ping.Check.Tcp(), "127.0.0.1", port, Duration.ofMillis(300), Path.of("."), Map.of());
                assertThat(t.message()).isEqualTo("tcp 127.0.0.1:" + port + ": connect timed out after 300ms");
            } finally {
                for (java.net.Socket c : held) c.close();
            }
        }
    }
}
