package dev.steward.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The CLI's one-shot GET over plain HTTP against a socket that answers as given, as an HTTP server may. */
class PlainHttpTest {
    /** Serves one connection: reads the request's head, answers {@code answer}, then closes (or not). */
    private static PlainHttp.Answer get(String answer, boolean closeAfter, StringBuilder request) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.read());
                    request.append(head);
                    OutputStream out = s.getOutputStream();
                    out.write(answer.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    if (!closeAfter) in.read(); // keeps the connection until the client closes it
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                return PlainHttp.get(URI.create("http://127.0.0.1:" + server.getLocalPort()), "/v1/services/a?tail=2", "stw_t");
            } finally {
                t.join(10_000);
            }
        }
    }

    @Test
    void aBodyOfAGivenLengthIsReadWithoutWaitingForTheServerToClose() throws Exception {
        StringBuilder request = new StringBuilder();
        PlainHttp.Answer a = get("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 8\r\n\r\n{\"a\":1}\nextra", false, request);
        assertThat(a).isEqualTo(new PlainHttp.Answer(200, "{\"a\":1}\n"));
        assertThat(request.toString()).startsWith("GET /v1/services/a?tail=2 HTTP/1.1\r\n").contains("\r\nAuthorization: Bearer stw_t\r\n");
    }

    @Test
    void aChunkedBodyIsJoined() throws Exception {
        PlainHttp.Answer a = get("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"err\r\n9;ext=1\r\nor\":\"no\"}\r\n0\r\n\r\n", false, new StringBuilder());
        assertThat(a).isEqualTo(new PlainHttp.Answer(404, "{\"error\":\"no\"}"));
    }

    @Test
    void aBodyWithoutALengthEndsWhenTheServerCloses() throws Exception {
        assertThat(get("HTTP/1.0 200 OK\r\n\r\n[1, 2]", true, new StringBuilder())).isEqualTo(new PlainHttp.Answer(200, "[1, 2]"));
    }

    @Test
    void whatIsNotAnHttpAnswerOrEndsEarlyIsAnError() {
        assertThatThrownBy(() -> get("\u0015\u0003\u0003\u0000\u0002\u0002\n", true, new StringBuilder()))
                .isInstanceOf(IOException.class).hasMessageContaining("not an HTTP answer");
        assertThatThrownBy(() -> get("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true, new StringBuilder()))
                .isInstanceOf(IOException.class).hasMessage("the answer ended early");
        assertThatThrownBy(() -> get("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true, new StringBuilder()))
                .isInstanceOf(IOException.class).hasMessageContaining("a bad chunk size: 'zz'");
        assertThatThrownBy(() -> get("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", true, new StringBuilder()))
                .isInstanceOf(IOException.class).hasMessage("a bad Content-Length: '-3'");
        assertThatThrownBy(() -> get("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", true, new StringBuilder()))
                .isInstanceOf(IOException.class).hasMessage("a bad Content-Length: 'ten'");
    }
}
