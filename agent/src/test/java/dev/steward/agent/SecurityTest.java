package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tokens, owners and administrators, browsers' requests, and the audit log, against a real agent. */
class SecurityTest extends AgentTestBase {
    /** As a shared machine's agent would: programs run as nobody unless a spec says root (which it allows, to admins). */
    @Override
    protected dev.steward.agent.isolate.RunAs runAs() {
        return new dev.steward.agent.isolate.RunAs("nobody", true);
    }

    static final String SLEEPER = "command: [sleep, \"600\"]\nping: none\n";

    /** Makes a token with the admin token; its secret. */
    String token(String name, String role) {
        JsonNode t = agent.ok("POST", "/v1/tokens", "{\"name\": \"" + name + "\", \"role\": \"" + role + "\"}");
        assertThat(t.path("role").asText()).isEqualTo(role);
        return t.path("token").asText();
    }

    TestAgent.Res as(String token, String method, String path, String body) {
        return agent.call(method, path, body, Map.of("Authorization", token == null ? "" : "Bearer " + token));
    }

    @Test
    void withoutATokenOnlyTheHealthCheckAndThePageAnswer() throws Exception {
        TestAgent.Res none = as(null, "GET", "/v1/services", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().path("details").get(0).asText()).contains("steward token create").contains("admin.token");
        assertThat(as(null, "POST", "/v1/jobs", "kind: job\nname: j\ncommand: [\"true\"]\n").status()).isEqualTo(401);
        assertThat(as("stw_made-up", "GET", "/v1/services", null).status()).isEqualTo(401);
        assertThat(as("Basic abc", "GET", "/v1/services", null).status()).isEqualTo(401);
        assertThat(as(null, "GET", "/metrics", null).status()).isEqualTo(401);
        assertThat(as(null, "GET", "/v1/health", null).status()).isEqualTo(200);
        assertThat(as(null, "GET", "/ui/", null).body()).contains("<title>Steward</title>");
        assertThat(agent.get("/v1/whoami").path("role").asText()).isEqualTo("admin");
        // the bootstrap token is the agent user's alone
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(agent.dataDir.resolve("admin.token")))).isEqualTo("rw-------");
    }

    @Test
    void onlyTheOwnerItsAdministratorsOrAnAdminChangeAService() {
        String alice = token("alice", "user");
        String bob = token("bob", "user");
        String carol = token("carol", "user");
        String reader = token("reader", "read-only");
        // a header cannot claim another owner
        TestAgent.Res made = agent.call("POST", "/v1/services", "name: mine\n" + SLEEPER,
                Map.of("Authorization", "Bearer " + alice, "X-Steward-User", "root"));
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        assertThat(made.json().path("owner").asText()).isEqualTo("alice");
        String first = agent.awaitState("mine", "available").path("instances").get(0).path("id").asText();
        assertThat(as(bob, "GET", "/v1/services/mine", null).status()).as("reads are open to every token").isEqualTo(200);
        TestAgent.Res stop = as(bob, "POST", "/v1/services/mine/stop", null);
        assertThat(stop.status()).isEqualTo(403);
        assertThat(stop.json().path("error").asText()).contains("alice (its owner)").contains("an admin token").contains("bob is none");
        assertThat(as(bob, "PATCH", "/v1/services/mine?set=instances=2", null).status()).isEqualTo(403);
        assertThat(as(bob, "PUT", "/v1/services/mine", "name: mine\n" + SLEEPER).status()).isEqualTo(403);
        assertThat(as(bob, "DELETE", "/v1/services/mine", null).status()).isEqualTo(403);
        TestAgent.Res readOnly = as(reader, "POST", "/v1/services", "name: theirs\n" + SLEEPER);
        assertThat(readOnly.status()).isEqualTo(403);
        assertThat(readOnly.json().path("error").asText()).contains("read-only");
        JsonNode after = agent.service("mine");
        assertThat(after.path("state").asText()).as("nothing changed").isEqualTo("available");
        assertThat(after.path("instances")).hasSize(1);
        assertThat(after.path("instances").get(0).path("id").asText()).isEqualTo(first);

        // the owner names an administrator
        assertThat(as(alice, "PUT", "/v1/services/mine", "name: mine\nadministrators: [bob]\n" + SLEEPER).status()).isEqualTo(200);
        assertThat(as(bob, "POST", "/v1/services/mine/stop", null).status()).isEqualTo(200);
        assertThat(as(carol, "POST", "/v1/services/mine/start", null).status()).isEqualTo(403);
        assertThat(agent.ok("POST", "/v1/services/mine/start", null).path("name").asText()).as("an admin may").isEqualTo("mine");
        assertThat(as(alice, "DELETE", "/v1/services/mine", null).status()).isEqualTo(200);

        TestAgent.Res badAdmins = as(alice, "POST", "/v1/services", "name: x\nadministrators: [../root]\n" + SLEEPER);
        assertThat(badAdmins.status()).isEqualTo(400);
        assertThat(badAdmins.body()).contains("administrators[0]");
    }

    @Test
    void appsAndProfilesHaveOwnersToo() throws Exception {
        String alice = token("alice", "user");
        String bob = token("bob", "user");
        assertThat(as(alice, "PUT", "/v1/profiles/small", "{\"pool-limit\": 1}").status()).isEqualTo(201);
        assertThat(agent.get("/v1/profiles").get(0).path("owner").asText()).isEqualTo("alice");
        assertThat(as(bob, "PUT", "/v1/profiles/small", "{\"pool-limit\": 2}").status()).isEqualTo(403);
        assertThat(as(bob, "DELETE", "/v1/profiles/small", null).status()).isEqualTo(403);
        assertThat(as(alice, "DELETE", "/v1/profiles/small", null).status()).isEqualTo(200);
    }

    @Test
    void tokensAreListedWithoutSecretsRevokedAndExpire() {
        String bob = token("bob", "user");
        TestAgent.Res denied = as(bob, "POST", "/v1/tokens", "{\"name\": \"mallory\", \"role\": \"admin\"}");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().path("error").asText()).contains("needs an admin token");
        JsonNode list = agent.get("/v1/tokens");
        assertThat(list).extracting(n -> n.path("name").asText()).containsExactly("admin", "bob");
        assertThat(list.toString()).doesNotContain(bob).doesNotContain("hash");
        assertThat(agent.call("POST", "/v1/tokens", "{\"name\": \"bob\"}").status()).as("names are unique").isEqualTo(409);
        assertThat(agent.call("POST", "/v1/tokens", "{\"name\": \"x\", \"role\": \"root\"}").body()).contains("expected: read-only, user or admin");
        assertThat(agent.call("POST", "/v1/tokens", "{\"name\": \"x\", \"ttl\": \"soon\"}").status()).isEqualTo(400);
        assertThat(agent.call("POST", "/v1/tokens", "{\"name\": \"x\", \"colour\": \"red\"}").body()).contains("colour: unknown field");
        assertThat(agent.call("POST", "/v1/tokens", "{\"name\": \"a/b\"}").status()).isEqualTo(400);
        agent.ok("DELETE", "/v1/tokens/bob", null);
        assertThat(as(bob, "GET", "/v1/services", null).status()).isEqualTo(401);

        String brief = agent.ok("POST", "/v1/tokens", "{\"name\": \"brief\", \"ttl\": \"1s\"}").path("token").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        TestAgent.Res r;
        while ((r = as(brief, "GET", "/v1/services", null)).status() == 200) {
            assertThat(System.nanoTime()).as("the token never expired").isLessThan(deadline);
            TestAgent.sleep(50);
        }
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asText()).contains("the token brief expired at");
    }

    @Test
    void requestsFromOtherSitesOrForeignHostsAreRefused() throws Exception {
        String spec = "name: web\n" + SLEEPER;
        TestAgent.Res cross = agent.call("POST", "/v1/services", spec, Map.of("Origin", "http://evil.example"));
        assertThat(cross.status()).isEqualTo(403);
        assertThat(cross.json().path("error").asText()).contains("cross-origin");
        TestAgent.Res plain = agent.call("POST", "/v1/services", spec, Map.of("Content-Type", "text/plain"));
        assertThat(plain.status()).isEqualTo(415);
        assertThat(plain.json().path("error").asText()).contains("text/plain is not accepted");
        assertThat(agent.call("POST", "/v1/services", spec, Map.of("Content-Type", "application/x-www-form-urlencoded")).status()).isEqualTo(415);
        assertThat(agent.call("GET", "/v1/services", null, Map.of()).body()).isEqualTo("[]");
        // DNS rebinding: a name that points at 127.0.0.1 but is not the agent's
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", agent.agent().apiPort())) {
            s.getOutputStream().write(("GET /v1/services HTTP/1.1\r\nHost: evil.example:" + agent.agent().apiPort()
                    + "\r\nAuthorization: Bearer " + agent.token + "\r\nConnection: close\r\n\r\n").getBytes());
            String answer = new String(s.getInputStream().readAllBytes());
            assertThat(answer).startsWith("HTTP/1.1 421").contains("does not name this agent");
        }
        // the API's own origin is fine
        assertThat(agent.call("POST", "/v1/services", spec, Map.of("Origin", agent.base)).status()).isEqualTo(201);
    }

    @Test
    void theAuditLogHasEachChangeWithWhoAndHowItEnded() {
        String alice = token("alice", "user");
        String bob = token("bob", "user");
        as(alice, "POST", "/v1/services", "name: a\n" + SLEEPER);
        as(bob, "POST", "/v1/services/a/stop", null);
        as(null, "DELETE", "/v1/services/a", null);
        JsonNode log = agent.get("/v1/audit");
        List<String> lines = new java.util.ArrayList<>();
        log.forEach(e -> lines.add(e.path("who").asText() + " " + e.path("action").asText() + " " + e.path("status").asInt() + " " + e.path("result").asText()));
        assertThat(lines).containsSubsequence("admin POST /v1/tokens 201 ok", "alice POST /v1/services 201 ok",
                "bob POST /v1/services/a/stop 403 denied", "- DELETE /v1/services/a 401 denied");
        assertThat(log.get(0).has("at")).isTrue();
        assertThat(agent.get("/v1/audit?since=1h").size()).isEqualTo(log.size());
        assertThat(agent.get("/v1/audit?since=2999-01-01T00:00:00Z").size()).isZero();
        assertThat(agent.call("GET", "/v1/audit?since=yesterday", null).status()).isEqualTo(400);
    }

    @Test
    void anUnprivilegedLocalUserWithoutATokenCannotStartAnything() throws Exception {
        // nobody cannot read the agent's admin.token, and without a token the API refuses
        String script = "import urllib.request,urllib.error,sys\n"
                + "try: open(sys.argv[2]).read(); print('read the token')\n"
                + "except PermissionError: pass\n"
                + "r=urllib.request.Request(sys.argv[1]+'/v1/jobs',data=b'kind: job\\nname: j\\ncommand: [touch, /tmp/pwned]\\n',"
                + "headers={'Content-Type':'application/yaml'},method='POST')\n"
                + "try: urllib.request.urlopen(r); print('started')\n"
                + "except urllib.error.HTTPError as e: print(e.code)\n";
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script,
                agent.base, agent.dataDir.resolve("admin.token").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("401");
        assertThat(agent.get("/v1/jobs")).isEmpty();
    }

    /** A field of the status of {@code pid}, once it runs sleep (the steps before it still run as root). */
    static String status(long pid, String field) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "comm")).strip().equals("sleep")) {
            assertThat(System.nanoTime()).as("pid " + pid + " never ran sleep").isLessThan(deadline);
            TestAgent.sleep(10);
        }
        return Files.readAllLines(java.nio.file.Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith(field + ":")).findFirst().orElseThrow().substring(field.length() + 1).strip();
    }

    @Test
    void programsWithoutAUserRunAsNobodyAndRootNeedsTheFlagAndAnAdmin() throws Exception {
        try (TestAgent strict = TestAgent.start(tmp.resolve("strict"), new dev.steward.agent.isolate.RunAs("nobody", false));
             TestAgent lax = TestAgent.start(tmp.resolve("lax"), new dev.steward.agent.isolate.RunAs("nobody", true))) {
            JsonNode v = strict.register("name: plain\n" + SLEEPER);
            long pid = strict.await("plain", s -> s.path("state").asText().equals("available"), Duration.ofSeconds(20))
                    .path("instances").get(0).path("pid").asLong();
            assertThat(status(pid, "Uid")).startsWith("65534\t");
            assertThat(status(pid, "NoNewPrivs")).isEqualTo("1");
            assertThat(v.path("owner").asText()).isEqualTo("admin");

            TestAgent.Res root = strict.call("POST", "/v1/services", "name: r\nuser: root\n" + SLEEPER);
            assertThat(root.status()).isEqualTo(403);
            assertThat(root.json().path("error").asText()).contains("user: root runs as root").contains("--allow-root");
            assertThat(strict.call("POST", "/v1/jobs", "kind: job\nname: j\nuser: \"0\"\ncommand: [\"true\"]\n").status()).isEqualTo(403);
            assertThat(strict.call("GET", "/v1/services/r", null).status()).as("nothing stored").isEqualTo(404);

            String alice = lax.ok("POST", "/v1/tokens", "{\"name\": \"alice\"}").path("token").asText();
            TestAgent.Res notAdmin = lax.call("POST", "/v1/services", "name: r\nuser: root\n" + SLEEPER, Map.of("Authorization", "Bearer " + alice));
            assertThat(notAdmin.status()).isEqualTo(403);
            assertThat(notAdmin.json().path("error").asText()).contains("needs an admin token");
            lax.register("name: r\nuser: root\n" + SLEEPER);
            long rootPid = lax.await("r", s -> s.path("state").asText().equals("available"), Duration.ofSeconds(20))
                    .path("instances").get(0).path("pid").asLong();
            assertThat(status(rootPid, "Uid")).startsWith("0\t");
            assertThat(status(rootPid, "NoNewPrivs")).isEqualTo("1");
        }
    }
}
