package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * etcd lost (issue 12, item 4). One member of three killed (its leader): nothing is seen; every
 * request is answered and writes work. Every member killed: every gateway keeps serving what it knows,
 * the API's reads are answered from the agents' caches, writes get 503 {@code cluster store
 * unavailable}, no agent dies and no instance stops; once etcd is back, writes work again and the
 * cluster is as it was (three nodes, the same instances), and a new service is placed.
 */
class EtcdFailuresTest extends ClusterRigTest {
    /** Longer than a node's lease (5 s) twice over: a lease lost while etcd is away would show. */
    static final Duration OUTAGE = Duration.ofSeconds(12);
    final HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void oneMemberLostIsNotSeenAndAllLostLeavesEveryGatewayServingAndWritesRefused() throws Exception {
        rig.agent(0).call("POST", "/v1/services", web(3));
        awaitRunning(rig.agent(0), "web", on -> new HashSet<>(on).size() == 3, Duration.ofSeconds(60));
        awaitProcesses("web", 3, Duration.ofSeconds(10));
        for (int i = 0; i < rig.size(); i++) awaitGateway(i, Duration.ofSeconds(20));

        int leader = rig.etcd().leader(Duration.ofSeconds(10));
        rig.etcd().kill(leader);
        long worst = keepAsking(OUTAGE, true);
        figure("one etcd member (the leader) killed: the slowest request over " + OUTAGE.toSeconds() + " s", worst);
        assertThat(awaitNodes(rig.agent(1), 3, Duration.ofSeconds(5))).hasSize(3);
        assertThat(rig.running("web")).isEqualTo(3);
        rig.etcd().start(leader);

        rig.etcd().killAll();
        long down = System.nanoTime();
        worst = keepAsking(OUTAGE, false);
        figure("all etcd members killed: the slowest request (reads and refused writes) over " + OUTAGE.toSeconds() + " s", worst);
        for (int i = 0; i < rig.size(); i++) assertThat(rig.agent(i).process.isAlive()).as("agent n%d alive", i).isTrue();
        assertThat(rig.running("web")).as("no instance stopped").isEqualTo(3);

        long back = System.nanoTime();
        rig.etcd().startAll();
        figure("etcd down for", Duration.ofNanos(back - down).toMillis());
        figure("etcd's three members started again and healthy", millisSince(back));
        long accepted = awaitWrite(rig.agent(2), "name: late\ncommand: " + Procs.httpServer() + "\nping: {tcp: true}\n", Duration.ofSeconds(30));
        figure("etcd back to a write accepted", Duration.ofNanos(accepted - back).toMillis());
        awaitRunning(rig.agent(0), "late", on -> on.size() == 1, Duration.ofSeconds(30));
        figure("etcd back to a service registered then running", millisSince(back));
        for (int i = 0; i < rig.size(); i++) assertThat(awaitNodes(rig.agent(i), 3, Duration.ofSeconds(20))).hasSize(3);
        assertThat(running(rig.agent(1), "web")).hasSize(3);
        assertThat(rig.running("web")).as("the same instances, none moved").isEqualTo(3);
    }

    /**
     * For {@code during}, asks every agent in turn: its gateway (200 from web), its API (web read) and a
     * write, which works ({@code writes}) or is refused with 503 {@code cluster store unavailable}. Returns
     * the slowest answer's ms.
     */
    private long keepAsking(Duration during, boolean writes) throws Exception {
        long end = System.nanoTime() + during.toNanos();
        long worst = 0;
        int k = 0;
        while (System.nanoTime() < end) {
            int i = k % rig.size();
            RemoteAgent a = rig.agent(i);
            long t = System.nanoTime();
            assertThat(gateway(i)).as("n%d's gateway", i).isEqualTo(200);
            TestAgent.Res read = a.send("GET", "/v1/services/web", null);
            assertThat(read.status()).as(read.body()).isEqualTo(200);
            assertThat(read.json().path("instances")).hasSize(3);
            worst = Math.max(worst, millisSince(t));
            t = System.nanoTime();
            TestAgent.Res w = a.send("POST", "/v1/services", "name: probe-" + k + "\ncommand: " + Procs.httpServer() + "\npolicy: on-demand\n");
            if (writes) {
                assertThat(w.status()).as(w.body()).isEqualTo(201);
                TestAgent.Res gone = a.send("DELETE", "/v1/services/probe-" + k, null);
                assertThat(gone.status()).as(gone.body()).isLessThan(300);
            } else {
                assertThat(w.status()).as(w.body()).isEqualTo(503);
                assertThat(w.json().path("error").asText()).isEqualTo("cluster store unavailable");
            }
            worst = Math.max(worst, millisSince(t));
            k++;
        }
        return worst;
    }

    private int gateway(int i) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(rig.agent(i).gateway + "/web/")).timeout(Duration.ofSeconds(10)).build();
        return plain.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void awaitGateway(int i, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (gateway(i) != 200) {
            assertThat(System.nanoTime()).as("n%d's gateway serves web", i).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** Posts {@code spec} until it is accepted (201); returns when (System.nanoTime). */
    private static long awaitWrite(RemoteAgent a, String spec, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            TestAgent.Res r = a.send("POST", "/v1/services", spec);
            if (r.status() == 201) return System.nanoTime();
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(System.nanoTime()).as("a write accepted again: %s", r).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
