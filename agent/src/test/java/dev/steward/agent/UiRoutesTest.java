package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the web UI stands on: its files served from the jar without a token, and the series route, with bad input refused. */
class UiRoutesTest extends AgentTestBase {
    @Test
    void thePageAndItsHashedFilesAreServedWithoutATokenAndMayLoadOnlyTheirOwn() {
        var page = agent.call("GET", "/ui/", null, Map.of("Authorization", ""));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<div id=\"root\">");
        Matcher script = Pattern.compile("/ui/assets/(index-[A-Za-z0-9_-]+\\.js)").matcher(page.body());
        assertThat(script.find()).as(page.body()).isTrue();
        var js = agent.call("GET", "/ui/assets/" + script.group(1), null, Map.of("Authorization", ""));
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.body()).contains("/v1/whoami");
        var missing = agent.call("GET", "/ui/assets/index-nothere.js", null, Map.of("Authorization", ""));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("error").asText()).isEqualTo("the web UI has no file 'index-nothere.js'");
        var climbing = agent.call("GET", "/ui/assets/..%2Fopenapi.yaml", null, Map.of("Authorization", ""));
        assertThat(climbing.status()).isBetween(400, 404);
        var strange = agent.call("GET", "/ui/assets/.hidden", null, Map.of("Authorization", ""));
        assertThat(strange.status()).isEqualTo(400);
        assertThat(strange.json().path("error").asText()).startsWith("file: '.hidden' is not a file name of the web UI");
    }

    @Test
    void thePageSaysWhatItMayLoad() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(agent.base + "/ui/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().firstValue("content-security-policy").orElse("")).contains("default-src 'none'", "script-src 'self'",
                "connect-src 'self'", "frame-ancestors 'none'");
        assertThat(r.headers().firstValue("x-content-type-options")).contains("nosniff");
    }

    @Test
    void aServicesSeriesCountsItsRequestsAndInstancesSecondBySecond() throws Exception {
        agent.register("kind: service\nname: plotted\ncommand: " + Procs.httpServer() + "\nping: {http: /, interval: 1s}\n");
        agent.awaitState("plotted", "available");
        var http = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < 25; i++) {
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(agent.gateway + "/plotted/")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        TestAgent.awaitTrue("the series has the 25 requests", () -> {
            long n = 0;
            for (JsonNode v : agent.get("/v1/services/plotted/series?seconds=60").path("requests")) n += v.asLong(0);
            return n == 25;
        }, Duration.ofSeconds(20));
        JsonNode s = agent.get("/v1/services/plotted/series");
        assertThat(s.path("requests")).hasSize(3600);
        assertThat(s.path("to").asLong() - s.path("from").asLong()).isEqualTo(3599);
        assertThat(s.path("step-seconds").asInt()).isEqualTo(1);
        boolean latency = false;
        boolean one = false;
        for (int k = 0; k < 3600; k++) {
            if (s.path("requests").get(k).asInt(0) > 0) latency |= s.path("p99-ms").get(k).asDouble() > 0 && s.path("p50-ms").get(k).asDouble() > 0;
            one |= s.path("instances").get(k).asInt(0) == 1;
        }
        assertThat(latency).as("a second with requests has its p50 and p99").isTrue();
        assertThat(one).as("the instance is counted").isTrue();
    }

    @Test
    void badInputToTheSeriesIsRefusedSayingWhy() {
        agent.register("kind: service\nname: quiet\ncommand: [sleep, \"600\"]\npolicy: on-demand\n");
        var zero = agent.call("GET", "/v1/services/quiet/series?seconds=0", null);
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.json().path("error").asText()).isEqualTo("seconds: 0 (expected: 1-3600)");
        var word = agent.call("GET", "/v1/services/quiet/series?seconds=hour", null);
        assertThat(word.status()).isEqualTo(400);
        assertThat(word.json().path("error").asText()).isEqualTo("seconds: 'hour' is not a whole number");
        assertThat(agent.call("GET", "/v1/services/quiet/series?seconds=3601", null).status()).isEqualTo(400);
        var unknown = agent.call("GET", "/v1/services/nobody/series", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).contains("nobody");
        assertThat(agent.call("GET", "/v1/services/Bad_Name/series", null).status()).isEqualTo(400);
        assertThat(agent.call("GET", "/v1/services/quiet/series", null, Map.of("Authorization", "")).status()).isEqualTo(401);
        // an idle service that was never started: its seconds are known and empty
        TestAgent.awaitTrue("a second was sampled", () -> agent.get("/v1/services/quiet/series?seconds=5").path("requests").get(4).isInt(),
                Duration.ofSeconds(10));
        assertThat(agent.get("/v1/services/quiet/series?seconds=5").path("p50-ms").get(4).isNull()).isTrue();
    }
}
