package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One network (issue 12, item 3): agents a and b on one machine, each advertising a loopback address of its
 * own (127.0.0.2, 127.0.0.3) where its listeners and instances listen, sharing one real etcd. A request
 * through either gateway reaches an instance on the other node; latency bounds steer away from a slow local
 * instance; an on-demand service asked for through both gateways at once wakes one instance, on the node
 * that may run it; a service slower than its soft bound gets one more instance on the node asking.
 */
class OneNetworkTest extends EtcdNodesTest {
    static final String A = "127.0.0.2";
    static final String B = "127.0.0.3";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    Path work;
    RemoteAgent a;
    RemoteAgent b;

    /** Serves its node's name; GETs other than /ping wait DELAY_<NODE> seconds first. */
    static final String SERVER = """
            import http.server, os, time
            node = os.environ["STEWARD_NODE"]
            delay = float(os.environ.get("DELAY_" + node.upper(), "0"))
            class H(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_GET(self):
                    if self.path != "/ping":
                        time.sleep(delay)
                    body = node.encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            http.server.ThreadingHTTPServer((os.environ["STEWARD_HOST"], int(os.environ["PORT"])), H).serve_forever()
            """;

    @BeforeEach
    void script() throws Exception {
        work = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(work.resolve("server.py"), SERVER);
    }

    /** Node a (zone x) on 127.0.0.2 and node b (zone y) on 127.0.0.3. */
    void startBoth() throws Exception {
        a = node("a", "zone=x", A);
        b = node("b", "zone=y", B);
    }

    RemoteAgent node(String name, String labels, String address) throws Exception {
        Path data = tmp.resolve(name);
        if (!dataDirs.contains(data)) dataDirs.add(data);
        return RemoteAgent.startNode(data, tmp, etcd.clusterUrl(), name, labels, address, agents);
    }

    String spec(String name, String extra) {
        return "name: " + name + "\ndir: " + work + "\ncommand: [python3, server.py]\nping: {http: /ping, interval: 200ms}\n" + extra;
    }

    /** A GET through a gateway: the status, the node that answered (the body) and the instance the gateway names. */
    record Got(int status, String node, String instance) {}

    Got get(String gateway, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Got(r.statusCode(), r.body(), r.headers().firstValue("x-steward-instance").orElse(""));
    }

    /** Waits until {@code agent} shows {@code service} with {@code count} instances, all running and pinged ready ("available"). */
    JsonNode awaitInstances(RemoteAgent agent, String service, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            TestAgent.Res r = agent.send("GET", "/v1/services/" + service, null);
            if (r.status() == 200) {
                JsonNode v = r.json();
                v.path("instances").forEach(i -> {
                    if (i.path("pid").asLong() > 0 && !strays.contains(i.path("pid").asLong())) strays.add(i.path("pid").asLong());
                });
                if (v.path("instances").size() == count && all(v, i -> i.path("state").asText().equals("running"))) return v;
                assertThat(System.nanoTime()).as("%s now: %s", service, v).isLessThan(deadline);
            } else {
                assertThat(System.nanoTime()).as("%s: %s", service, r).isLessThan(deadline);
            }
            Thread.sleep(100);
        }
    }

    static boolean all(JsonNode v, java.util.function.Predicate<JsonNode> ok) {
        for (JsonNode i : v.path("instances")) if (!ok.test(i)) return false;
        return true;
    }

    static String instanceOn(JsonNode service, String node) {
        for (JsonNode i : service.path("instances")) if (i.path("node").asText().equals(node)) return i.path("id").asText();
        return "";
    }

    /** Waits until a GET through {@code gateway} answers 200 (the instance elsewhere is ready and known here). */
    Got awaitServed(String gateway, String path) throws Exception {
        return await(() -> get(gateway, path), g -> g.status() == 200, Duration.ofSeconds(30));
    }

    /** Reads {@code now} until what it reads is {@code ok}, at most {@code wait}; returns that. */
    static <T> T await(Callable<T> now, java.util.function.Predicate<T> ok, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        T seen = now.call();
        while (!ok.test(seen)) {
            assertThat(System.nanoTime()).as("waited for: %s", seen).isLessThan(deadline);
            Thread.sleep(50);
            seen = now.call();
        }
        return seen;
    }

    @Test
    void eitherGatewayReachesTheOtherNodesInstanceAndEachNodeMeasuresItsRoundTrips() throws Exception {
        startBoth();
        a.call("POST", "/v1/services", spec("web", "placement: {node-labels: {zone: y}}\n"));
        String onB = instanceOn(awaitInstances(a, "web", 1), "b");
        assertThat(onB).as("placed on b").isNotEmpty();

        Got viaA = awaitServed(a.gateway(), "/web/");
        assertThat(viaA).as("through a's gateway, to b's instance").isEqualTo(new Got(200, "b", onB));
        for (int i = 0; i < 20; i++) assertThat(get(a.gateway(), "/web/x")).isEqualTo(new Got(200, "b", onB));
        assertThat(get(b.gateway(), "/web/")).as("and through b's own").isEqualTo(new Got(200, "b", onB));

        JsonNode rtt = await(() -> rttOf(a, "a"), r -> r.has("b"), Duration.ofSeconds(20));
        assertThat(rtt.path("b").asDouble()).as("a to b, in ms, on loopback").isPositive().isLessThan(100);
    }

    static JsonNode rttOf(RemoteAgent agent, String node) throws Exception {
        for (JsonNode n : agent.call("GET", "/v1/cluster/nodes", null)) if (n.path("name").asText().equals(node)) return n.path("rtt");
        return Json.tree("{}");
    }

    @Test
    void aLocalInstanceOverTheHardBoundIsPassedOverForAnotherNodesUnderIt() throws Exception {
        startBoth();
        a.call("POST", "/v1/services", spec("lat", "instances: 2\nplacement: {spread: zone}\nenv: {DELAY_A: \"0.4\"}\n"
                + "route: {latency: {soft: 100ms, hard: 250ms}}\n"));
        JsonNode v = awaitInstances(a, "lat", 2);
        String onA = instanceOn(v, "a");
        String onB = instanceOn(v, "b");
        assertThat(onA).isNotEmpty();
        assertThat(onB).isNotEmpty();
        awaitRemote(a, "lat", "b");
        List<Got> seen = new ArrayList<>();
        for (int i = 0; i < 30; i++) seen.add(get(a.gateway(), "/lat/"));
        assertThat(seen).allMatch(g -> g.status() == 200);
        // a's own may be tried while its latency is unknown (before or after b's was measured): once, measured over
        // hard (400 ms), and then passed over; every other request goes to b's, under the bound
        assertThat(seen.stream().filter(g -> g.instance().equals(onA)).count()).as("to a's slow instance: %s", seen).isLessThanOrEqualTo(1);
        assertThat(seen).as("to b's, under the bound, but for one to a's").filteredOn(g -> !g.instance().equals(onA))
                .hasSizeGreaterThanOrEqualTo(seen.size() - 1).allMatch(g -> g.equals(new Got(200, "b", onB)));
        for (int i = 0; i < 10; i++) assertThat(get(b.gateway(), "/lat/")).as("b's own, fast").isEqualTo(new Got(200, "b", onB));
    }

    /** Waits until {@code agent} shows {@code service}'s instance on {@code node} ready (healthy), as that node's record says. */
    static void awaitRemote(RemoteAgent agent, String service, String node) throws Exception {
        await(() -> agent.call("GET", "/v1/services/" + service, null), v -> readyOn(v, node), Duration.ofSeconds(30));
    }

    static boolean readyOn(JsonNode service, String node) {
        for (JsonNode i : service.path("instances")) {
            if (i.path("node").asText().equals(node) && i.path("health").asText().equals("healthy")) return true;
        }
        return false;
    }

    @Test
    void anOnDemandServiceAskedForThroughBothGatewaysAtOnceWakesOneInstanceWhereItMayRun() throws Exception {
        startBoth();
        a.call("POST", "/v1/services", spec("lazy", "policy: on-demand\nplacement: {node-labels: {zone: y}}\n"));
        ClusterTest.awaitService(b, "lazy");
        assertThat(a.call("GET", "/v1/services/lazy", null).path("instances")).as("none before a request").isEmpty();
        String ga = a.gateway();
        String gb = b.gateway();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Got>> replies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<Got> viaA = () -> get(ga, "/lazy/");
                Callable<Got> viaB = () -> get(gb, "/lazy/");
                replies.add(pool.submit(viaA));
                replies.add(pool.submit(viaB));
            }
            for (Future<Got> f : replies) {
                Got g = f.get();
                assertThat(g.status()).as("held until an instance woke, not dropped: %s", g).isEqualTo(200);
                assertThat(g.node()).isEqualTo("b");
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode v = awaitInstances(a, "lazy", 1);
        awaitInstances(b, "lazy", 1);
        assertThat(instanceOn(v, "b")).as("one instance for eight requests at two agents, on b").isNotEmpty();
        assertThat(v.path("placed")).hasToString("{\"b\":1}");
    }

    @Test
    void noInstanceUnderTheSoftBoundAsksForOneMoreOnTheNodeAsking() throws Exception {
        b = node("b", "zone=y", B);
        b.call("POST", "/v1/services", spec("far", "env: {DELAY_A: \"0.06\", DELAY_B: \"0.06\"}\nroute: {latency: {soft: 20ms, hard: 5s}}\n"));
        awaitInstances(b, "far", 1);
        a = node("a", "zone=x", A);
        awaitServed(a.gateway(), "/far/");
        // every answer takes 60 ms, over the soft 20 ms: a asks for one more, near itself; then every node runs one, and it stops
        String ga = a.gateway();
        await(() -> {
            assertThat(get(ga, "/far/").status()).isEqualTo(200);
            return a.call("GET", "/v1/services/far", null);
        }, v -> !instanceOn(v, "a").isEmpty(), Duration.ofSeconds(60));
        JsonNode v = awaitInstances(a, "far", 2);
        assertThat(v.path("placed")).hasToString("{\"a\":1,\"b\":1}");
        for (int i = 0; i < 40; i++) assertThat(get(a.gateway(), "/far/").status()).isEqualTo(200);
        assertThat(a.call("GET", "/v1/services/far", null).path("placed")).as("one more per node at most").hasToString("{\"a\":1,\"b\":1}");
    }

    @Test
    void aDrainUnderLoadMovesTheInstanceWithNoRequestFailingThroughEitherGateway() throws Exception {
        startBoth();
        a.call("POST", "/v1/services", spec("busy", ""));
        JsonNode v = awaitInstances(a, "busy", 1);
        String from = instanceOn(v, "a").isEmpty() ? "b" : "a";
        String to = from.equals("a") ? "b" : "a";
        RemoteAgent other = from.equals("a") ? b : a;
        awaitRemote(other, "busy", from);
        String ga = a.gateway();
        String gb = b.gateway();
        awaitServed(ga, "/busy/");
        awaitServed(gb, "/busy/");
        // requests through both gateways, one after another on each, for as long as the drain lasts and a while after
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<List<Got>>> load = new ArrayList<>();
        try {
            for (String g : List.of(ga, gb)) {
                load.add(pool.submit(() -> {
                    List<Got> seen = new ArrayList<>();
                    while (!stop.get()) {
                        try {
                            seen.add(get(g, "/busy/"));
                        } catch (java.io.IOException e) {
                            seen.add(new Got(-1, e.toString(), ""));
                        }
                        answered.incrementAndGet();
                    }
                    return seen;
                }));
            }
            await(answered::get, n -> n >= 10, Duration.ofSeconds(30)); // the load runs
            long drained = System.nanoTime();
            a.call("POST", "/v1/cluster/nodes/" + from + "/drain", null);
            JsonNode moved = await(() -> a.call("GET", "/v1/services/busy", null),
                    s -> s.path("instances").size() == 1 && !instanceOn(s, to).isEmpty(), Duration.ofSeconds(60));
            System.out.println("drain of " + from + ": its instance gone, the one on " + to + " alone, "
                    + Duration.ofNanos(System.nanoTime() - drained).toMillis() + " ms after the drain");
            String newId = instanceOn(moved, to);
            // the old one is gone and both gateways reach the new one: then the load runs on a little more
            for (String g : List.of(ga, gb)) await(() -> get(g, "/busy/"), x -> x.equals(new Got(200, to, newId)), Duration.ofSeconds(30));
            for (int i = 0; i < 20; i++) {
                assertThat(get(ga, "/busy/")).isEqualTo(new Got(200, to, newId));
                assertThat(get(gb, "/busy/")).isEqualTo(new Got(200, to, newId));
            }
        } finally {
            stop.set(true);
            pool.shutdown();
        }
        for (Future<List<Got>> f : load) {
            List<Got> seen = f.get();
            System.out.println("requests through one gateway: " + seen.size() + ", answered by " + seen.stream()
                    .collect(java.util.stream.Collectors.groupingBy(Got::node, java.util.TreeMap::new, java.util.stream.Collectors.counting())));
            assertThat(seen.size()).as("requests made during the drain").isGreaterThan(10);
            assertThat(seen.stream().filter(g -> g.status() != 200).toList()).as("failed of %d requests", seen.size()).isEmpty();
            assertThat(seen.get(seen.size() - 1).node()).isEqualTo(to);
        }
        assertThat(a.call("GET", "/v1/services/busy", null).path("placed")).hasToString("{\"" + to + "\":1}");
    }
}
