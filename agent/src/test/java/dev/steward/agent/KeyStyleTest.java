package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One key style in every JSON body the API sends: kebab-case, as specs are written. The main routes are
 * walked after something of each kind exists (a service, a job, an app with a profile, a function, a token)
 * and every object key is checked; errors are {@code {"error", "details"}} on each route.
 */
class KeyStyleTest extends AgentTestBase {
    private static final Pattern KEBAB = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    /** Maps whose keys are the user's data (environment variables, labels), not the API's names. */
    private static final Set<String> DATA = Set.of("env", "environment", "labels");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyKeyTheMainRoutesSendIsKebabCase() throws Exception {
        agent.register("kind: service\nname: web\ncommand: " + Procs.httpServer() + "\nping: {http: /, interval: 1s}\nenv: {SOME_VAR: x}\n");
        agent.awaitState("web", "available");
        String job = agent.ok("POST", "/v1/jobs", "kind: job\nname: once\ncommand: [/bin/sh, -c, 'exit 3']\n").path("id").asText();
        TestAgent.awaitTrue("the job ends", () -> agent.get("/v1/jobs/" + job).path("state").asText().equals("failed"), Duration.ofSeconds(30));
        TestApps.run(agent, "keys-app", "{\"pool-limit\": 2, \"queue-limit\": 10}", Map.of());
        var invoked = agent.call("POST", "/v1/apps/keys-app/echo", "hi", Map.of("Content-Type", "application/octet-stream"));
        assertThat(invoked.status()).as(invoked.body()).isEqualTo(200);
        TestApps.putArchive(agent, "/v1/functions/echo", TestApps.tarGz(FunctionsTest.EXAMPLES.resolve("echo-python")));
        agent.ok("POST", "/v1/tokens", "{\"name\": \"reader\", \"role\": \"read-only\", \"ttl\": \"1h\"}");

        List<String> wrong = new ArrayList<>();
        for (String path : List.of("/v1/services", "/v1/services/web", "/v1/services/web/instances", "/v1/services/web/series?seconds=60",
                "/v1/jobs", "/v1/jobs/" + job, "/v1/apps", "/v1/apps/keys-app", "/v1/profiles", "/v1/profiles/keys-app", "/v1/runlist",
                "/v1/running", "/v1/functions", "/v1/functions/echo", "/v1/cluster/nodes", "/v1/agent", "/v1/whoami", "/v1/tokens",
                "/v1/audit", "/v1/health")) {
            walk(path, agent.get(path), wrong);
        }
        String events = agent.call("GET", "/v1/events?follow=false", null).body();
        int n = 0;
        for (String line : events.split("\n")) {
            if (!line.startsWith("data: ")) continue;
            walk("/v1/events", JSON.readTree(line.substring(6)), wrong);
            n++;
        }
        assertThat(n).as("events seen").isPositive();
        assertThat(wrong).as("keys that are not kebab-case").isEmpty();
    }

    @Test
    void errorsAreAnErrorAndItsDetailsOnEveryRoute() {
        Map<String, TestAgent.Res> answers = new java.util.LinkedHashMap<>();
        answers.put("no such service", agent.call("GET", "/v1/services/ghost", null));
        answers.put("a bad name", agent.call("GET", "/v1/services/Bad_Name", null));
        answers.put("an invalid spec", agent.call("POST", "/v1/services", "kind: service\nname: x\n"));
        answers.put("no such route", agent.call("GET", "/v1/nothing-here", null));
        answers.put("a wrong method", agent.call("PATCH", "/v1/agent", "{}"));
        answers.put("no such job", agent.call("GET", "/v1/jobs/nope", null));
        answers.put("no such app", agent.call("GET", "/v1/apps/ghost", null));
        answers.put("no such profile", agent.call("GET", "/v1/profiles/ghost", null));
        answers.put("no such function", agent.call("GET", "/v1/functions/ghost", null));
        answers.put("an app not running", agent.call("POST", "/v1/apps/ghost/echo", "x", Map.of("Content-Type", "application/octet-stream")));
        answers.put("no such dynamic instance", agent.call("GET", "/v1/dynamic/00000000-0000-0000-0000-000000000000", null));
        answers.put("a token body that is not JSON", agent.call("POST", "/v1/tokens", "{", Map.of("Content-Type", "application/json")));
        answers.put("bad events id", agent.call("GET", "/v1/events?after=x", null));
        answers.put("no token", agent.call("GET", "/v1/services", null, Map.of("Authorization", "Bearer stw_wrong")));
        List<String> wrong = new ArrayList<>();
        answers.forEach((what, r) -> {
            if (r.status() < 400) {
                wrong.add(what + ": " + r.status() + " " + r.body());
                return;
            }
            JsonNode body = r.json();
            List<String> keys = new ArrayList<>();
            body.fieldNames().forEachRemaining(keys::add);
            if (!body.path("error").isTextual() || body.path("error").asText().isBlank() || !body.path("details").isArray()
                    || !Set.of("error", "details", "code").containsAll(keys)) {
                wrong.add(what + ": " + r.status() + " " + r.body());
            }
        });
        assertThat(wrong).as("errors not shaped {error, details}").isEmpty();
    }

    @Test
    void theApiDescriptionNamesEveryPropertyInKebabCase() throws Exception {
        JsonNode doc = JSON.readTree(agent.call("GET", "/v1/openapi.json", null).body());
        List<String> wrong = new ArrayList<>();
        doc.findParents("properties").forEach(schema -> schema.path("properties").fieldNames().forEachRemaining(k -> {
            if (!KEBAB.matcher(k).matches()) wrong.add(k);
        }));
        assertThat(doc.findParents("properties")).as("schemas with properties").isNotEmpty();
        assertThat(wrong).as("properties in openapi.json that are not kebab-case").isEmpty();
    }

    /** Every object key under {@code node}, except inside the user's own maps, into {@code wrong} when it is not kebab-case. */
    static void walk(String where, JsonNode node, List<String> wrong) {
        if (node.isArray()) {
            for (JsonNode e : node) walk(where, e, wrong);
        } else if (node.isObject()) {
            node.properties().forEach(p -> {
                if (!KEBAB.matcher(p.getKey()).matches()) wrong.add(where + ": " + p.getKey());
                if (!DATA.contains(p.getKey())) walk(where, p.getValue(), wrong);
            });
        }
    }
}
