package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.api.ApiServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

/**
 * Generated requests (jqwik's generators) for every route of the API, taken from the server's own
 * route table so that a new route is fuzzed too: any method, path parameters with separators, dots,
 * unicode and huge lengths, query strings, content types, and bodies that are malformed, mistyped,
 * unknown, huge or random. No answer may be a 5xx of the agent's own making (503 with Retry-After is
 * the documented overload of uploads), and meanwhile another client's health check keeps answering
 * within a p99 bound, the agent's heap stays below its limit, and the agent still works after.
 */
class ApiFuzzTest extends AgentTestBase {
    /** The other client's p99 bound: generous for a busy 2-core machine; the real figure is printed. */
    static final double P99_BOUND_MS = 300;

    record Req(String method, String path, String query, String contentType, byte[] body, String extraHeader) {
        String describe() {
            String b = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
            return method + " " + abbreviate(path + query) + " [" + contentType + "] " + extraHeader + " body(" + body.length + "): " + b;
        }
    }

    @Test
    void everyRouteWithstandsGeneratedInput() throws Exception {
        agent.register("name: fz\ncommand: [sleep, '3600']\npolicy: on-demand\n");
        List<ApiServer.RouteInfo> routes = agent.agent().apiRoutes();
        assertThat(routes).hasSizeGreaterThan(30);
        HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(agent.base + "/v1/health")).timeout(Duration.ofSeconds(10)).build();
        List<String> bad = new ArrayList<>();
        int sent = 0;
        FuzzWatch watch = new FuzzWatch(() -> other.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        try (watch) {
            for (ApiServer.RouteInfo route : routes) {
                Iterator<Req> inputs = requests(route).sampleStream().iterator();
                for (int n = 0; n < FuzzWatch.INPUTS; n++) {
                    Req r = inputs.next();
                    String answer = send(r);
                    sent++;
                    int status = Integer.parseInt(answer.substring(9, 12));
                    boolean overload = status == 503 && answer.toLowerCase(Locale.ROOT).contains("\r\nretry-after:");
                    if (status >= 500 && !overload && bad.size() < 20) bad.add(route + ": " + r.describe() + "\n  -> " + abbreviate(answer));
                }
            }
        }
        long peak = watch.peakHeap();
        System.out.printf(Locale.ROOT, "api fuzz: %d routes, %d requests in %d ms; other client's health: %d calls, p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
                        + " heap peak %d MiB of %d MiB%n", routes.size(), sent, watch.elapsedMs(), watch.calls(), watch.quantileMs(0.5),
                watch.quantileMs(0.99), watch.quantileMs(1.0), peak >> 20, FuzzWatch.maxHeap() >> 20);
        assertThat(bad).as("5xx answers").isEmpty();
        assertThat(watch.failures()).as("the other client's calls").isEmpty();
        assertThat(watch.quantileMs(0.99)).as("the other client's p99, ms").isLessThan(P99_BOUND_MS);
        assertThat(peak).as("heap peak").isLessThan(FuzzWatch.maxHeap());
        // still alive, and still doing its job
        assertThat(agent.call("GET", "/v1/health", null).status()).isEqualTo(200);
        agent.register("name: after-fuzz\ncommand: [sleep, '3600']\npolicy: on-demand\n"); // (fz itself may have been deleted by the fuzzing)
        assertThat(agent.service("after-fuzz").path("state").asText()).isEqualTo("stopped");
    }

    /** One connection per request; only the head of the answer is read (some routes stream). */
    String send(Req r) throws IOException {
        try (Socket s = new Socket("127.0.0.1", agent.agent().apiPort())) {
            s.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(r.method() + " " + r.path() + r.query() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + agent.token + "\r\nConnection: close\r\n");
            if (!r.contentType().isEmpty()) head.append("Content-Type: ").append(r.contentType()).append("\r\n");
            if (!r.extraHeader().isEmpty()) head.append(r.extraHeader()).append("\r\n");
            if (r.body().length > 0 || !r.method().equals("GET")) head.append("Content-Length: ").append(r.body().length).append("\r\n");
            s.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            try {
                s.getOutputStream().write(r.body());
            } catch (IOException refusedEarly) {
                // answered (413, 401...) and closed before the whole body went: the answer is still there to read
            }
            return readHead(s.getInputStream());
        }
    }

    /** The head, and for a 5xx the start of its body. */
    static String readHead(InputStream in) throws IOException {
        String got = RawHttp.readHead(in);
        if (!got.startsWith("HTTP/1.1 5")) return got;
        byte[] some = new byte[600];
        try {
            int n = in.read(some);
            if (n > 0) got += new String(some, 0, n, StandardCharsets.UTF_8);
        } catch (IOException reset) {
            // the head is what counts
        }
        return got;
    }

    static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…(" + s.length() + ")" : s;
    }

    // ---- the generators ---------------------------------------------------------------------

    Arbitrary<Req> requests(ApiServer.RouteInfo route) {
        Arbitrary<String> method = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.of(route.methods())),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "FUZZ")));
        return Combinators.combine(method, path(route.pattern()), query(), contentType(), body(), extraHeader()).as(Req::new);
    }

    /** The route's pattern with each parameter ({@code :name}, {@code {name}}) and wildcard filled by a generated segment. */
    Arbitrary<String> path(String pattern) {
        String p = pattern.replaceFirst("^(exact|prefix|glob|regex):", "");
        String[] parts = p.split("/", -1);
        Arbitrary<String> path = Arbitraries.just("");
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            boolean param = part.startsWith(":") || part.startsWith("{") || part.contains("*");
            Arbitrary<String> seg = param ? segment() : Arbitraries.just(part);
            path = Combinators.combine(path, seg).as((a, b) -> a + "/" + b);
        }
        return path.map(s -> s.isEmpty() ? "/" : s);
    }

    /** A path segment: real names, names with separators, dots, unicode, escapes, or thousands of characters. */
    static Arbitrary<String> segment() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of("fz", "nope", "a", "locator", "1", "0", "-1", "fz-1", "x".repeat(63))),
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().withChars("abz09-_.~/%\\;:@!$&'()*+,=").ofMaxLength(20)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(".", "..", "%2e%2e", "..%2f..%2fetc", "%00", "%ff%fe", "a%20b", "%", "%zz", "fz%2fx", "*", "{name}")),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().all().ofMaxLength(12).map(ApiFuzzTest::printable)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(100, 20_000).map(n -> "y".repeat(n))))
                .map(s -> s.equals("admin") ? "admin-x" : s); // the bootstrap token's name: revoking it would end the test's own access
    }

    /** Anything but CR, LF, space and NUL, which would end or split the request line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().filter(c -> c > 0x20 && c != 0x7f && !Character.isSurrogate((char) c) && c != '?' && c != '#').forEach(b::appendCodePoint);
        return b.toString();
    }

    static Arbitrary<String> query() {
        Arbitrary<String> pair = Arbitraries.oneOf(
                Arbitraries.of("set=.=x", "set=a.=1", "set=.a=1", "set==x", "set=x", "set=instances=-5", "set=instances=99999999999999",
                        "set=linger=99999999999d", "set=restart.delay=999999999d", "set=env.A=%00", "set=command=[", "set=name=x",
                        "set=route.path=/../x", "set=ping={http: 5}", "follow=true", "follow=maybe", "tail=-1", "tail=99999999999999",
                        "tail=abc", "since=1h", "since=99999999999d", "since=-1s", "since=x", "instances=0", "instances=-3", "instances=1e9",
                        "instance=zz", "no-save=true", "timeout=99999999999d", "json", "=", "&&", "%zz=%zz"),
                Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(8), Arbitraries.strings().withChars("az09.%=-[]{}").ofMaxLength(30))
                        .as((k, v) -> k + "=" + v));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.just("")),
                net.jqwik.api.Tuple.of(5, pair.list().ofMinSize(1).ofMaxSize(4).map(l -> "?" + String.join("&", l))));
    }

    static Arbitrary<String> contentType() {
        return Arbitraries.of("application/yaml", "application/yaml", "application/json", "application/json", "text/yaml",
                "application/octet-stream", "application/x-tar", "application/zip", "text/plain", "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded", "", "garbage", "application/json; charset=utf-32", "*/*", "application/yaml; x=\"");
    }

    static Arbitrary<String> extraHeader() {
        return Arbitraries.of("", "", "", "", "Origin: http://127.0.0.1", "Origin: http://evil.example", "X-Steward-User: root",
                "X-Steward-Spec-Dir: /etc", "X-Steward-Spec-Dir: ../../..", "X-Steward-Tag: t", "X-Steward-Timeout: 99999999999d",
                "Expect: 100-continue", "Accept: text/event-stream", "Last-Event-ID: -1");
    }

    static Arbitrary<byte[]> body() {
        Arbitrary<String> text = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just("")),
                net.jqwik.api.Tuple.of(4, specs()),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("{", "[", "name: [", "{\"name\": }", "- - - -", "&a [*a, *a]", "!!binary x", "\t\tname: x",
                        "name: fz\nname: fz\ncommand: [true]\n", "%YAML 9.9\n---\nx", "\u0000\u0001", "null", "42", "\"str\"", "[]", "{}",
                        "a: &a [1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n")),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 5000).map(n -> "[".repeat(n) + "]".repeat(n))),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 3000).map(n -> "a:\n" + " b:\n".repeat(n))),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().all().ofMaxLength(200)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, text.map(t -> t.getBytes(StandardCharsets.UTF_8))),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(4096)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(900_000, 1_200_000).map(n -> ("a: " + "x".repeat(n)).getBytes(StandardCharsets.UTF_8))));
    }

    /** Specs: valid ones (which run nothing, or a harmless `true`), wrong types, unknown fields, out-of-range values. */
    static Arbitrary<String> specs() {
        Arbitrary<String> name = Arbitraries.of("fz", "f1", "f2", "Bad_Name", "", "x".repeat(70), "ünï", "a/b", "..", "5");
        Arbitrary<String> extra = Arbitraries.of("", "policy: on-demand\n", "kind: job\n", "kind: app\n", "kind: nope\n", "unknown: 1\n",
                "instances: -1\n", "instances: x\n", "instances: 99999999999\n", "instances: {min: 5, max: 1}\n", "linger: 99999999999d\n",
                "linger: 366d\n", "restart: {delay: 1ms, max-delay: 0ms}\n", "restart: 5\n", "resources: {memory: 999999999999999Ti}\n",
                "resources: {cpu: -1}\n", "ping: {http: 5}\n", "ping: {tcp: maybe}\n", "env: [1, 2]\n", "env: {A: {b: c}}\n", "needs: [fz, fz]\n",
                "needs: [self]\n", "route: {path: ../x}\n", "route: {host: '*'}\n", "user: root\n", "user: 0\n", "isolate: {type: sandbox, x: 1}\n",
                "isolate: container\n", "dir: /etc\n", "dir: ../../..\n", "administrators: 5\n", "parts: {a: {command: [true]}}\n", "command: []\n",
                "command: 'true'\n", "queue-limit: -1\n", "concurrency: 1e99\n", "timeout: 99999999999d\n", "data: [1]\n");
        return Combinators.combine(name, extra, Arbitraries.of(true, false)).as((n, e, json) -> {
            String yaml = "name: " + n + "\ncommand: [true]\npolicy: on-demand\n" + e;
            return json ? "{\"name\": \"" + n + "\", \"command\": [\"true\"], \"policy\": \"on-demand\", \"x\": " + (e.isEmpty() ? "1" : "[]") + "}" : yaml;
        });
    }
}
