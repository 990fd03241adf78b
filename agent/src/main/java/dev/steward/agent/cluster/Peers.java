package dev.steward.agent.cluster;

import dev.steward.agent.Json;
import dev.steward.agent.tls.ClusterTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls from this agent to the others' APIs: over TLS trusting the cluster's CA only (and showing this
 * node's certificate, without which the others refuse the token) when the cluster has TLS, each carrying the
 * cluster's token. At join, {@link #greet}
 * says hello to every other live node; a node that refuses the token stops the join.
 */
public final class Peers {
    static final String HELLO = "/v1/cluster/hello";
    private final String self;
    private final ClusterToken token;
    private final HttpClient http;

    public Peers(String self, ClusterToken token, ClusterTls tls) {
        this.self = self;
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2));
        if (tls != null) b.sslContext(tls.jdkContext());
        this.http = b.build();
    }

    /** What one node said to hello: accepted, refused (with why), or not reached (with why). */
    public sealed interface Answer {
        record Accepted(String node) implements Answer {}

        record Refused(String node, String why) implements Answer {}

        record Unreached(String node, String why) implements Answer {}
    }

    /**
     * Says hello to every other node in {@code nodes} that has an API address; throws IllegalStateException
     * naming those that refused. A cluster without a token has nothing to check: no hello.
     */
    public List<Answer> greet(List<NodeView> nodes) {
        List<Answer> answers = new ArrayList<>();
        if (token.secret() == null) return answers;
        for (NodeView n : nodes) {
            if (n.name().equals(self) || n.address().api().isEmpty()) continue;
            answers.add(hello(n.name(), n.address().api()));
        }
        List<String> refused = answers.stream().filter(a -> a instanceof Answer.Refused).map(a -> ((Answer.Refused) a).why()).toList();
        if (!refused.isEmpty()) throw new IllegalStateException("cannot join the cluster: " + String.join("; ", refused));
        return answers;
    }

    /** One hello to the API at {@code api}. */
    Answer hello(String node, String api) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(api + HELLO + "?from=" + self)).timeout(Duration.ofSeconds(3));
        r.header("Authorization", "Bearer " + token.secret());
        try {
            HttpResponse<String> res = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() == 200 && Json.tree(res.body()).path("peer").asBoolean()) return new Answer.Accepted(node);
            if (res.statusCode() == 200) return new Answer.Refused(node, "node " + node + " (API at " + api + ") refused this agent's cluster token");
            if (res.statusCode() == 401) {
                String why = Json.tree(res.body()).path("error").asText("");
                return new Answer.Refused(node, "node " + node + " (API at " + api + ") refused "
                        + (why.contains("certificate") ? "this agent: " + why : "this agent's cluster token"));
            }
            return new Answer.Unreached(node, "node " + node + " answered " + res.statusCode());
        } catch (IOException e) {
            return new Answer.Unreached(node, "node " + node + " (API at " + api + "): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer.Unreached(node, "interrupted");
        }
    }
}
