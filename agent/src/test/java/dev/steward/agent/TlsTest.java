package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.tls.SelfSigned;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS on the API and the gateway with a generated pair: trusted clients get through, others do not. */
class TlsTest {
    @TempDir Path tmp;
    TestAgent agent;
    SelfSigned.Made made;

    @BeforeEach
    void start() throws Exception {
        made = SelfSigned.ensure(tmp.resolve("tls"), List.of(new InetSocketAddress("127.0.0.1", 0)), Clock.systemUTC());
        agent = TestAgent.startTls(tmp.resolve("data"), made.pair());
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theApiServesHttpsToAClientThatTrustsTheCertificateOnly() throws Exception {
        assertThat(agent.base).startsWith("https://127.0.0.1:");
        JsonNode info = agent.get("/v1/agent");
        assertThat(info.path("listeners").path("api").asText()).isEqualTo(agent.base);
        assertThat(info.path("listeners").path("gateway").asText()).isEqualTo(agent.gateway).startsWith("https://");
        assertThat(info.path("tls").path("api").asBoolean()).isTrue();
        assertThat(info.path("tls").path("gateway").asBoolean()).isTrue();
        assertThat(info.path("tls").path("rpc").isBoolean()).isTrue();
        assertThat(info.path("tls").path("rpc").asBoolean()).isFalse();
        HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> get(untrusting, agent.base + "/v1/agent")).isInstanceOf(SSLHandshakeException.class);
        String plain = agent.base.replace("https://", "http://");
        assertThatThrownBy(() -> get(untrusting, plain + "/v1/agent")).isInstanceOf(IOException.class);
    }

    @Test
    void theGatewayOverTlsProxiesToAServiceAndTellsItTheClientCameOverHttps() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("w"));
        Files.writeString(work.resolve("echo.py"), GatewayTest.ECHO);
        agent.register("name: echo\ndir: " + work + "\ncommand: [python3, echo.py]\nping: {http: /}\n");
        agent.awaitState("echo", "available");
        HttpClient trusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(TestAgent.trusting(made.pair().certificate())).build();
        HttpResponse<String> r = get(trusting, agent.gateway + "/echo/hello");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-steward-instance")).isPresent();
        assertThat(r.body()).startsWith("/hello\n").contains("x-forwarded-proto: https");
        HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> get(untrusting, agent.gateway + "/echo/hello")).isInstanceOf(SSLHandshakeException.class);
    }
}
