package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.protocol.Client;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import dev.steward.protocol.RpcConnection;
import dev.steward.protocol.RpcException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.msgpack.value.Value;

/**
 * Apps across nodes (issue 12, one network): nodes a and b on one machine, each listening (API, gateway, RPC)
 * on a loopback address of its own (127.0.0.2, 127.0.0.3), sharing one real etcd. An app started on b is
 * resolved through a's locator to b's address, and a client of a's locator reaches b's workers; each node
 * has its own {@code node} service, {@code node} through a node's own locator and {@code node@NAME} through
 * any; a paused app leaves the other node's locator too.
 */
class AppsAcrossNodesTest extends EtcdNodesTest {
    static final String A = "127.0.0.2";
    static final String B = "127.0.0.3";
    static final Duration WAIT = Duration.ofSeconds(10);

    RemoteAgent node(String name, String address) throws Exception {
        java.nio.file.Path data = tmp.resolve(name);
        dataDirs.add(data);
        return RemoteAgent.startNode(data, tmp, etcd.clusterUrl(), name, "", address, agents);
    }

    /** The node's locator, as its agent reports it ({@code HOST:PORT}). */
    static String locator(RemoteAgent agent) throws Exception {
        return agent.call("GET", "/v1/agent", null).path("listeners").path("rpc").asText();
    }

    static RpcConnection connect(String hostPort) throws Exception {
        int colon = hostPort.lastIndexOf(':');
        return new RpcConnection(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Resolves {@code name} through {@code locator} until it resolves, at most {@code wait}. */
    static RpcConnection.Resolved awaitResolved(RpcConnection locator, String name, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                return locator.resolve(name, WAIT);
            } catch (RpcException e) {
                assertThat(System.nanoTime()).as("%s still unresolved: %s", name, e.getMessage()).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    /** Waits until {@code name} no longer resolves through {@code locator}; returns the error it gets. */
    static String awaitUnresolved(RpcConnection locator, String name, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                RpcConnection.Resolved r = locator.resolve(name, WAIT);
                assertThat(System.nanoTime()).as("%s still resolves to %s", name, r).isLessThan(deadline);
                Thread.sleep(50);
            } catch (RpcException e) {
                return e.getMessage();
            }
        }
    }

    static List<String> list(RpcConnection locator, String nodeService) throws Exception {
        RpcConnection.Resolved r = locator.resolve(nodeService, WAIT);
        try (RpcConnection c = new RpcConnection(r.host(), r.port())) {
            List<String> out = new ArrayList<>();
            for (Value v : c.call(Messages.LIST).value(WAIT).asArrayValue()) out.add(v.asRawValue().asString());
            return out;
        }
    }

    /** Uploads the test worker as {@code app} through {@code agent}, a profile of the same name, and starts it there. */
    static void runOn(RemoteAgent agent, String app) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] archive = AppsApiTest.tarGz(Map.of("manifest.json", "{\"slave\": \"./worker.py\"}", "worker.py", TestApps.WORKER));
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(agent.base + "/v1/apps/" + app))
                .header("Authorization", "Bearer " + agent.token).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
        HttpResponse<String> profile = http.send(HttpRequest.newBuilder(URI.create(agent.base + "/v1/profiles/" + app))
                .header("Authorization", "Bearer " + agent.token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"pool-limit\": 2}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(profile.statusCode()).as(profile.body()).isLessThan(300);
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(agent.base + "/v1/running/" + app))
                .header("Authorization", "Bearer " + agent.token).header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(app)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(start.body()).contains("the app has been started");
    }

    @Test
    void anAppWhoseWorkersRunOnBIsResolvedAndCalledThroughAsLocator() throws Exception {
        RemoteAgent a = node("a", A);
        RemoteAgent b = node("b", B);
        ClusterTest.awaitNodes(a, n -> n.equals(List.of("a", "b")), Duration.ofSeconds(30));
        String locatorA = locator(a);
        assertThat(locatorA).startsWith(A + ":");
        try (RpcConnection viaA = connect(locatorA); RpcConnection viaB = connect(locator(b))) {
            assertThatThrownBy(() -> viaA.resolve("echo", WAIT)).as("nothing runs yet").isInstanceOf(RpcException.class)
                    .hasMessage("service echo is not available");
            runOn(b, "echo");
            RpcConnection.Resolved onB = viaB.resolve("echo", WAIT);
            RpcConnection.Resolved fromA = awaitResolved(viaA, "echo", Duration.ofSeconds(30));
            assertThat(fromA).as("a's locator names b's address and b's port for the app").isEqualTo(onB);
            assertThat(fromA.host()).isEqualTo(B);
            assertThat(fromA.methods()).containsEntry(Messages.ENQUEUE, "enqueue");

            // a client of a's locator, as Cocaine's clients are: it resolves, then calls the app where it runs
            int colon = locatorA.lastIndexOf(':');
            try (Client client = Client.connect(A, Integer.parseInt(locatorA.substring(colon + 1)), Duration.ofSeconds(30))) {
                assertThat(new String(client.app("echo").enqueue("echo", "over there".getBytes(StandardCharsets.UTF_8)).readAll(), StandardCharsets.UTF_8))
                        .isEqualTo("over there");
                String worker = new String(client.app("echo").enqueue("whoami", new byte[0]).readAll(), StandardCharsets.UTF_8);
                assertThat(worker).isNotEmpty();
                assertThat(b.text("/v1/apps/echo")).as("the worker is one of b's").contains(worker);
            }

            // each node its own node service: "node" is the node asked, "node@NAME" the one named, through any locator
            assertThat(list(viaA, "node")).as("a runs no app").isEmpty();
            assertThat(list(viaA, "node@b")).containsExactly("echo");
            assertThat(list(viaB, "node")).containsExactly("echo");
            assertThat(list(viaB, "node@a")).isEmpty();
            assertThat(viaA.resolve("node@a", WAIT)).isEqualTo(viaA.resolve("node", WAIT));
            assertThat(viaA.resolve("node@b", WAIT)).isEqualTo(viaB.resolve("node", WAIT));
            assertThatThrownBy(() -> viaA.resolve("node@nowhere", WAIT)).isInstanceOf(RpcException.class)
                    .hasMessage("service node@nowhere is not available");
            assertThat(viaA.resolve("logging", WAIT).host()).as("logging stays each node's own").isEqualTo(A);
            var reports = viaA.call(Messages.REPORTS).value(WAIT).asMapValue().map();
            assertThat(reports).containsKeys(FrameWriter.text("echo"), FrameWriter.text("node"), FrameWriter.text("node@b"));

            // paused on b: gone from a's locator too
            b.call("DELETE", "/v1/running/echo", null);
            assertThat(awaitUnresolved(viaA, "echo", Duration.ofSeconds(30))).isEqualTo("service echo is not available");
        }
    }
}
