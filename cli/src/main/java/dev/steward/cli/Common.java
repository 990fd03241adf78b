package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Option;

/** The options every command takes. */
final class Common {
    @Option(names = "--json", description = "Print machine-readable JSON.")
    boolean json;

    /** The agent's API when neither --addr nor STEWARD_ADDR names one. */
    static final String DEFAULT_ADDR = "http://127.0.0.1:7700";

    @Option(names = "--addr", description = "The agent's API (env STEWARD_ADDR; default ${DEFAULT-VALUE}).",
            defaultValue = "${env:STEWARD_ADDR:-" + DEFAULT_ADDR + "}")
    String addr;

    @Option(names = "--token", description = "An API token (env STEWARD_TOKEN).", defaultValue = "${env:STEWARD_TOKEN}")
    String token;

    @Option(names = "--ca-cert", paramLabel = "FILE", description = "Trust the agent's certificate or its CA in this PEM file for an https --addr (env STEWARD_CA_CERT).",
            defaultValue = "${env:STEWARD_CA_CERT}")
    String caCert;

    ApiClient client() {
        return new ApiClient(addr, token, caCert);
    }

    /** {@code DELETE /v1/COLLECTION/NAME}, answered as {@link #answer} says. */
    int delete(String collection, String name, String done) {
        return answer(name, client().call("DELETE", "/v1/" + collection + "/" + NameArg.check(name), null, java.util.Map.of()), done);
    }

    /** The agent's answer {@code v} about {@code name}: as JSON with --json, else "NAME: DONE" (null: the answer's result). */
    int answer(String name, JsonNode v, String done) {
        if (json) printJson(v);
        else System.out.println(name + ": " + (done != null ? done : v.path("result").asText()));
        return 0;
    }

    /** {@code GET /v1/COLLECTION/NAME}, printed as JSON. */
    int show(String collection, String name) {
        printJson(client().get("/v1/" + collection + "/" + NameArg.check(name)));
        return 0;
    }

    void printJson(JsonNode node) {
        System.out.println(Json.pretty(node));
    }
}
