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
