package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.cluster.ClusterToken;
import dev.steward.agent.cluster.Peers;
import dev.steward.agent.store.EtcdServer;
import dev.steward.agent.store.EtcdStore;
import dev.steward.agent.store.Layout;
import dev.steward.agent.store.MemoryStore;
import dev.steward.agent.tls.ClusterCerts;
import dev.steward.agent.tls.ClusterTls;
import dev.steward.agent.tls.PemFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster over TLS (issue 12, between agents): a real etcd that serves its clients over TLS and takes
 * only certificates its CA signed; agents started as users start them ({@code steward agent} with
 * {@code --cluster etcds://...}, the cluster's CA, the node's pair and the token) in JVMs of their own.
 * The right pair and token join, and the second node's hello to the first is accepted; without TLS, with
 * a CA or a certificate of another cluster, or without the token (or with another), an agent cannot join
 * and says why; plain etcd:// still works when no TLS is configured.
 */
class ClusterTlsTest {
    @TempDir Path tmp;
    Path certs;
    Path other;
    EtcdServer etcd;
    final List<Process> agents = new ArrayList<>();

    /** What {@code steward agent} did: its API's URL when it started (else null), its exit code (else -1), its stderr. */
    record Run(String api, int exit, String stderr, Path data) {
        String adminToken() throws Exception {
            return Files.readString(data.resolve("admin.token")).strip();
        }
    }

    @BeforeEach
    void certsAndEtcd() throws Exception {
        Assumptions.assumeTrue(EtcdServer.unavailable() == null, EtcdServer::unavailable);
        certs = tmp.resolve("certs");
        other = tmp.resolve("other");
        ClusterCerts.make(certs, List.of("a", "b", "c"), List.of(), Instant.now());
        ClusterCerts.make(other, List.of("a"), List.of(), Instant.now());
        etcd = EtcdServer.start(certs);
    }

    @AfterEach
    void cleanUp() throws Exception {
        agents.forEach(Process::destroyForcibly);
        for (Process p : agents) p.waitFor();
        if (etcd != null) etcd.close();
    }

    List<String> tlsFlags(Path dir, String node) {
        return List.of("--cluster-ca", dir.resolve("ca.pem").toString(), "--cluster-cert", dir.resolve(node + ".pem").toString(),
                "--cluster-key", dir.resolve(node + "-key.pem").toString(), "--cluster-token", dir.resolve("token").toString());
    }

    /** {@code steward agent} as node {@code node} on loopback with {@code flags}; returns once it serves or has exited. */
    Run agent(String node, String cluster, List<String> flags) throws Exception {
        Path data = tmp.resolve("data-" + node + "-" + agents.size());
        Path err = tmp.resolve("agent-" + agents.size() + ".err");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                dev.steward.agent.main.AgentMain.class.getName(), "--data-dir", data.toString(), "--api", "127.0.0.1:0", "--gateway", "127.0.0.1:0",
                "--rpc", "127.0.0.1:0", "--node-name", node, "--cluster", cluster));
        cmd.addAll(flags);
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        agents.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("steward: api listening on ")) return new Run(line.substring("steward: api listening on ".length()).split(",")[0], -1, "", data);
        }
        p.waitFor(30, TimeUnit.SECONDS);
        String said = String.join("\n", Files.readString(err).lines().filter(l -> l.startsWith("steward:")).toList());
        return new Run(null, p.exitValue(), said, data);
    }

    @Test
    void theRightPairAndTokenJoinAndTheSecondNodesHelloIsAccepted() throws Exception {
        Run a = agent("a", etcd.clusterUrl(), tlsFlags(certs, "a"));
        assertThat(a.api()).as(a.stderr()).isNotNull();
        Run b = agent("b", etcd.clusterUrl(), tlsFlags(certs, "b"));
        assertThat(b.api()).as("b greeted a with the token at its join: " + b.stderr()).isNotNull();
        assertThat(a.api()).as("in a cluster over TLS the API serves HTTPS with the node's cluster pair").startsWith("https://127.0.0.1:");
        javax.net.ssl.SSLContext trustingTheCa = TestAgent.trusting(PemFiles.certificates("ca", certs.resolve("ca.pem")).getFirst());
        RemoteAgentClient client = new RemoteAgentClient(a.api(), a.adminToken(), trustingTheCa);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!client.get("/v1/cluster/nodes").contains("\"b\"")) {
            assertThat(System.nanoTime()).as("b in a's nodes").isLessThan(deadline);
            Thread.sleep(100);
        }
        String token = Files.readString(certs.resolve("token")).strip();
        ClusterTls nodeC = ClusterTls.read(certs.resolve("ca.pem"), certs.resolve("c.pem"), certs.resolve("c-key.pem"));
        var peers = new Peers("c", ClusterToken.admit(new MemoryStore(), token), nodeC);
        assertThat(peers.greet(List.of(view("a", a.api())))).containsExactly(new Peers.Answer.Accepted("a"));
        var stranger = new Peers("c", ClusterToken.admit(new MemoryStore(), "stwc_not-the-clusters-token"), nodeC);
        Assertions.assertThatThrownBy(() -> stranger.greet(List.of(view("a", a.api()))))
                .hasMessage("cannot join the cluster: node a (API at " + a.api() + ") refused this agent's cluster token");
        RemoteAgentClient asNodeC = new RemoteAgentClient(a.api(), token, nodeC.jdkContext());
        assertThat(asNodeC.status("/v1/cluster/nodes")).as("the cluster's token, with a node's certificate, reads").isEqualTo(200);
        assertThat(asNodeC.post("/v1/services/x/start")).as("and changes nothing").isEqualTo(403);
    }

    @Test
    void theClustersTokenIsRefusedFromAConnectionWithoutANodeCertificateOfTheCluster() throws Exception {
        Run a = agent("a", etcd.clusterUrl(), tlsFlags(certs, "a"));
        assertThat(a.api()).as(a.stderr()).startsWith("https://");
        String token = Files.readString(certs.resolve("token")).strip();
        javax.net.ssl.SSLContext trustingTheCa = TestAgent.trusting(PemFiles.certificates("ca", certs.resolve("ca.pem")).getFirst());
        var noCertificate = new RemoteAgentClient(a.api(), token, trustingTheCa);
        assertThat(noCertificate.status("/v1/cluster/nodes")).as("the token alone").isEqualTo(401);
        assertThat(noCertificate.get("/v1/cluster/nodes")).contains("the cluster's token is taken only from another agent that shows its node certificate");
        assertThat(new RemoteAgentClient(a.api(), a.adminToken(), trustingTheCa).status("/v1/cluster/nodes"))
                .as("a user's token needs no certificate").isEqualTo(200);
        // a certificate another CA signed: the client does not show it to a server that names the cluster's CA, or the handshake fails
        var peerWithoutCertificate = new ClusterTls(PemFiles.certificates("ca", certs.resolve("ca.pem")),
                PemFiles.read("cert", other.resolve("a.pem"), "key", other.resolve("a-key.pem")));
        List<Peers.Answer> hello;
        try {
            hello = new Peers("b", ClusterToken.admit(new MemoryStore(), token), peerWithoutCertificate).greet(List.of(view("a", a.api())));
        } catch (IllegalStateException refused) {
            assertThat(refused).hasMessageContaining("node a (API at " + a.api() + ") refused this agent: the cluster's token is taken only from"
                    + " another agent that shows its node certificate");
            hello = List.of();
        }
        assertThat(hello).as("a hello with another CA's certificate").noneMatch(x -> x instanceof Peers.Answer.Accepted);
        int stranger = new RemoteAgentClient(a.api(), token, peerWithoutCertificate.jdkContext()).statusOrRefused("/v1/cluster/nodes");
        assertThat(stranger).as("another CA's certificate (-1: the handshake failed)").isIn(401, -1);
        ClusterTls nodeB = ClusterTls.read(certs.resolve("ca.pem"), certs.resolve("b.pem"), certs.resolve("b-key.pem"));
        assertThat(new RemoteAgentClient(a.api(), token, nodeB.jdkContext()).status("/v1/cluster/nodes")).as("node b's certificate").isEqualTo(200);
    }

    @Test
    void withoutTlsOrWithAnotherClustersCaAnAgentCannotJoinAndSaysWhy() throws Exception {
        String plain = "etcd://" + etcd.clusterUrl().substring("etcds://".length());
        Run noTls = agent("a", plain, List.of());
        assertThat(noTls.exit()).isEqualTo(1);
        assertThat(noTls.stderr()).contains("etcd at 127.0.0.1:").contains("serves TLS: join with --cluster etcds://");
        Run otherCa = agent("a", etcd.clusterUrl(), tlsFlags(other, "a"));
        assertThat(otherCa.exit()).isEqualTo(1);
        assertThat(otherCa.stderr()).contains("shows a certificate that --cluster-ca did not sign");
        List<String> mixed = new ArrayList<>(tlsFlags(certs, "a"));
        mixed.set(3, other.resolve("a.pem").toString());
        mixed.set(5, other.resolve("a-key.pem").toString());
        Run mixedRun = agent("a", etcd.clusterUrl(), mixed);
        assertThat(mixedRun.exit()).isEqualTo(2);
        assertThat(mixedRun.stderr()).contains("--cluster-cert: " + other.resolve("a.pem")).contains("is not signed by the CA in --cluster-ca");
        // past the options' own check: etcd itself refuses a certificate its CA did not sign
        var stranger = new ClusterTls(PemFiles.certificates("ca", certs.resolve("ca.pem")),
                PemFiles.read("cert", other.resolve("a.pem"), "key", other.resolve("a-key.pem")));
        Assertions.assertThatThrownBy(() -> new EtcdStore(etcd.endpoints(), stranger, Layout.of("a")).close())
                .hasMessageContaining("refused this agent's certificate").hasMessageContaining("--cluster-cert must be signed by the CA etcd trusts");
    }

    @Test
    void withoutTheClustersTokenAnAgentCannotJoin() throws Exception {
        List<String> noToken = tlsFlags(certs, "a").subList(0, 6);
        Run none = agent("a", etcd.clusterUrl(), noToken);
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.stderr()).contains("needs the cluster's token too: --cluster-token FILE");
        assertThat(agent("a", etcd.clusterUrl(), tlsFlags(certs, "a")).api()).as("the first node sets the cluster's token").isNotNull();
        Path wrong = tmp.resolve("wrong-token");
        Files.writeString(wrong, "stwc_another-clusters-token-0123456789\n");
        Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
        List<String> wrongToken = new ArrayList<>(tlsFlags(certs, "b"));
        wrongToken.set(7, wrong.toString());
        Run refused = agent("b", etcd.clusterUrl(), wrongToken);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.stderr()).contains("--cluster-token is not this cluster's token");
        Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-r--r--"));
        Run open = agent("b", etcd.clusterUrl(), wrongToken);
        assertThat(open.exit()).isEqualTo(2);
        assertThat(open.stderr()).contains("is readable by others; keep it to its owner (chmod 600 " + wrong + ")");
    }

    @Test
    void plainEtcdStillWorksWithoutTls() throws Exception {
        try (EtcdServer plain = EtcdServer.start()) {
            Run a = agent("a", plain.clusterUrl(), List.of());
            assertThat(a.api()).as(a.stderr()).startsWith("http://127.0.0.1:");
            Run c = agent("c", plain.clusterUrl(), List.of());
            assertThat(c.api()).as("a second node joins a cluster without a token: " + c.stderr()).startsWith("http://127.0.0.1:");
            Run tlsToPlain = agent("b", "etcds://" + plain.clusterUrl().substring("etcd://".length()), tlsFlags(certs, "b"));
            assertThat(tlsToPlain.exit()).isEqualTo(1);
            assertThat(tlsToPlain.stderr()).contains("join with --cluster etcd://");
        }
    }

    static dev.steward.agent.cluster.NodeView view(String name, String api) {
        var none = new dev.steward.agent.cluster.NodeRecord.Resources(0, 0, 0);
        return new dev.steward.agent.cluster.NodeView(name, new dev.steward.agent.cluster.NodeRecord.Address(api, "", ""), java.util.Map.of(),
                new dev.steward.agent.cluster.NodeView.Capacity(none, none), 0, 0, 0, false, false, java.util.Map.of());
    }

    /** The few calls these tests make to an agent's API with a bearer token, over TLS with {@code tls} (null: the JDK's defaults). */
    record RemoteAgentClient(String base, String token, javax.net.ssl.SSLContext tls) {
        RemoteAgentClient(String base, String token) {
            this(base, token, null);
        }

        /** The status, or -1 when the connection failed (a refused TLS handshake). */
        int statusOrRefused(String path) throws Exception {
            try {
                return status(path);
            } catch (java.io.IOException refused) {
                return -1;
            }
        }

        String get(String path) throws Exception {
            return send("GET", path).body();
        }

        int status(String path) throws Exception {
            return send("GET", path).statusCode();
        }

        int post(String path) throws Exception {
            return send("POST", path).statusCode();
        }

        private java.net.http.HttpResponse<String> send(String method, String path) throws Exception {
            var r = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).header("Authorization", "Bearer " + token)
                    .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build();
            var client = java.net.http.HttpClient.newBuilder();
            if (tls != null) client.sslContext(tls);
            return client.build().send(r, java.net.http.HttpResponse.BodyHandlers.ofString());
        }
    }
}
