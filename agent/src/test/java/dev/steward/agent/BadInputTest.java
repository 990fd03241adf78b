package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every route with bad input: a clear 4xx naming the problem, nothing changed, the agent still serving. */
class BadInputTest {
    @TempDir Path tmp;
    TestAgent agent;

    @BeforeEach
    void start() throws Exception {
        agent = TestAgent.start(tmp.resolve("data"));
        agent.register("name: known\ncommand: [sleep, \"600\"]\npolicy: on-demand\n");
    }

    @AfterEach
    void stop() {
        // After all of it the agent still serves, and nothing but the one good service is stored.
        assertThat(agent.call("GET", "/v1/agent", null).status()).isEqualTo(200);
        JsonNode list = agent.get("/v1/services");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("spec").path("command").get(0).asText()).isEqualTo("sleep");
        agent.close();
    }

    private JsonNode error(TestAgent.Res r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        JsonNode e = r.json();
        assertThat(e.path("error").asText()).isNotBlank();
        assertThat(e.path("details").isArray()).isTrue();
        return e;
    }

    @Test
    void malformedYamlIsRefusedWithWhere() {
        JsonNode e = error(agent.call("POST", "/v1/services", "name: x\ncommand: [a\n  b: {"), 400);
        assertThat(e.path("details").get(0).asText()).startsWith("malformed YAML at line");
    }

    @Test
    void unknownFieldsAndWrongTypesAreAllListed() {
        JsonNode e = error(agent.call("POST", "/v1/services", "name: x\ncommand: [a]\ncolor: red\ninstances: many\nrestart: {delay: 1}\n"), 400);
        assertThat(e.path("details").toString()).contains("color: unknown field", "instances: expected a whole number",
                "restart.delay: expected a string");
    }

    @Test
    void aBodyOverTheLimitIsRefused() {
        String huge = "name: x\ncommand: [a]\n#" + "x".repeat(2 << 20) + "\n";
        JsonNode e = error(agent.call("POST", "/v1/services", huge), 413);
        assertThat(e.path("error").asText()).contains("too large");
    }

    @Test
    void anAppUploadOverItsLimitIsRefusedBeforeItsBodyIsRead() throws Exception {
        long limit = dev.steward.agent.spool.Limits.DEFAULT.maxArchive();
        try (RawHttp big = RawHttp.send(agent, "PUT", "/v1/apps/big", "Content-Length: " + (limit + 1))) {
            JsonNode e = error(big.response(), 413);
            assertThat(e.path("error").asText()).isEqualTo("the request body is too large (limit: " + limit + " bytes)");
        }
        assertThat(error(agent.call("PUT", "/v1/apps/empty", ""), 400).path("error").asText()).isEqualTo("the body must be the app's archive (.tar.gz, .tar or .zip)");
        assertThat(agent.get("/v1/apps")).isEmpty();
        assertThat(tmp.resolve("data/uploads")).isEmptyDirectory();
    }

    @ParameterizedTest
    @CsvSource({"GET,/v1/services/a..b", "GET,/v1/services/UPPER", "POST,/v1/services/a%2Fb/start", "DELETE,/v1/services/-x",
            "GET,/v1/services/a..b/logs", "GET,/v1/apps/a..b/logs", "GET,/v1/apps/a%2Fb/logs"})
    void badNamesInUrlsAreRefused(String method, String path) {
        TestAgent.Res r = agent.call(method, path, null);
        assertThat(r.status()).as(r.body()).isIn(400, 404);
        assertThat(r.json().path("error").asText()).isNotBlank();
    }

    @ParameterizedTest
    @CsvSource({"GET,/v1/services/nope", "DELETE,/v1/services/nope", "POST,/v1/services/nope/start", "POST,/v1/services/nope/stop",
            "POST,/v1/services/nope/use", "GET,/v1/services/nope/logs", "GET,/v1/services/nope/instances", "GET,/v1/jobs/nope",
            "GET,/v1/apps/nope/logs", "PATCH,/v1/services/nope?set=instances%3D2"})
    void unknownServicesAre404(String method, String path) {
        JsonNode e = error(agent.call(method, path, null), 404);
        assertThat(e.path("error").asText()).contains("nope");
    }

    @Test
    void stoppingWhatIsStoppedIsAConflict() {
        JsonNode e = error(agent.call("POST", "/v1/services/known/stop", null), 409);
        assertThat(e.path("error").asText()).isEqualTo("service known is already stopped");
    }

    @Test
    void registeringTwiceIsAConflict() {
        JsonNode e = error(agent.call("POST", "/v1/services", "name: known\ncommand: [other]\n"), 409);
        assertThat(e.path("error").asText()).contains("already registered");
    }

    @Test
    void aSpecWhoseNameDiffersFromTheUrlIsRefused() {
        error(agent.call("PUT", "/v1/services/known", "name: other\ncommand: [a]\n"), 400);
        error(agent.call("PATCH", "/v1/services/known", "name: other\ncommand: [a]\n"), 400);
    }

    @Test
    void badSetsChangeNothing() {
        error(agent.call("PATCH", "/v1/services/known?set=instances%3Dlots", null), 400);
        error(agent.call("PATCH", "/v1/services/known?set=novalue", null), 400);
        error(agent.call("PATCH", "/v1/services/known?set=name%3Dother", null), 400);
        error(agent.call("PATCH", "/v1/services/known?set=colour%3Dred", null), 400);
        // found by ApiFuzzTest: a key of only dots was a 500 (an index out of bounds)
        assertThat(error(agent.call("PATCH", "/v1/services/known?set=.%3Dx", null), 400).toString()).contains("empty key segment");
        error(agent.call("PATCH", "/v1/services/known?set=a.%3Dx", null), 400);
        assertThat(agent.service("known").path("spec").has("instances")).isFalse();
    }

    @Test
    void aDurationOverAYearIsRefusedByName() {
        JsonNode e = error(agent.call("PATCH", "/v1/services/known?set=linger%3D99999999999d", null), 400);
        assertThat(e.toString()).contains("linger").contains("longer than a year");
        error(agent.call("POST", "/v1/services", "name: later\ncommand: [sleep, '1']\nrestart: {delay: 1ms, max-delay: 366d}\n"), 400);
    }

    @Test
    void anUnknownMethodExpectingContinueIs405NotA500() throws Exception {
        // found by ApiFuzzTest: Armeria's decoder answered 500 when it looked the method up for Expect: 100-continue
        try (RawHttp r = RawHttp.send(agent, "FUZZ", "/v1/services", "Content-Length: 3", "Expect: 100-continue")) {
            TestAgent.Res res = r.response();
            assertThat(res.status()).as(res.body()).isEqualTo(405);
        }
    }

    @Test
    void badQueryParametersAreNamed() {
        assertThat(error(agent.call("POST", "/v1/services/known/start?instances=abc", null), 400).path("error").asText()).contains("instances");
        assertThat(error(agent.call("POST", "/v1/services/known/start?instances=-1", null), 400).path("error").asText()).contains("instances");
        assertThat(error(agent.call("GET", "/v1/services/known/logs?tail=-5", null), 400).path("error").asText()).contains("tail");
        assertThat(error(agent.call("GET", "/v1/services/known/logs?follow=maybe", null), 400).path("error").asText()).contains("follow");
        assertThat(error(agent.call("GET", "/v1/services/known/logs?instance=zzz", null), 404).path("error").asText()).contains("zzz");
        assertThat(error(agent.call("GET", "/v1/services/known/logs?instance=x.y%2Fz", null), 400).path("error").asText()).contains("instance");
        assertThat(agent.service("known").path("state").asText()).isEqualTo("stopped");
    }

    @Test
    void aRelativeSpecDirHeaderIsRefused() {
        JsonNode e = error(agent.call("POST", "/v1/services", "name: y\ncommand: [a]\n", Map.of("X-Steward-Spec-Dir", "rel/dir")), 400);
        assertThat(e.path("error").asText()).contains("not an absolute path");
    }

    @Test
    void kindsGoThroughTheirOwnDoors() {
        assertThat(error(agent.call("POST", "/v1/services", "kind: job\nname: j\ncommand: [a]\n"), 400).path("details").get(0).asText())
                .contains("job run");
        assertThat(error(agent.call("POST", "/v1/jobs", "kind: service\nname: j\ncommand: [a]\n"), 400).path("details").get(0).asText())
                .contains("kind: job");
        assertThat(error(agent.call("POST", "/v1/jobs", "kind: job\nname: j\ncommand: [a]\nneeds: [ghost]\n"), 400).path("details").get(0).asText())
                .contains("ghost");
    }

    @Test
    void unknownRoutesAndMethodsAnswerJson() {
        assertThat(error(agent.call("GET", "/v1/nothing-here", null), 404).path("error").asText()).contains("no such route");
        assertThat(error(agent.call("DELETE", "/v1/services", null), 405).path("error").asText()).contains("method not allowed");
    }

    @Test
    void aBodyWhereNoneIsTakenIsRefused() {
        error(agent.call("PATCH", "/v1/services/known?set=instances%3D2", "name: x"), 400);
    }

    @Test
    void aMalformedRequestLineAndHugeHeadersNeverReachAHandler() throws Exception {
        assertThat(raw("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET /v1/services HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n")).matches("HTTP/1.1 (431|400|413).*");
        assertThat(raw("POST /v1/services HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + agent.token
                + "\r\nContent-Type: application/yaml\r\nContent-Length: 100\r\n\r\nname: cut")).isEmpty();
    }

    private String raw(String request) throws Exception {
        int port = Integer.parseInt(agent.base.substring(agent.base.lastIndexOf(':') + 1));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            byte[] buf = in.readNBytes(200);
            String text = new String(buf, StandardCharsets.ISO_8859_1);
            int eol = text.indexOf("\r\n");
            return eol < 0 ? text : text.substring(0, eol);
        } catch (java.net.SocketTimeoutException e) {
            return "";
        }
    }
}
