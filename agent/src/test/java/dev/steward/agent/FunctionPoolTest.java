package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The warm pool of functions' workers on a real agent: paused generic workers, keep-warm and thawing, overload, limits. */
class FunctionPoolTest extends AgentTestBase {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    void added(String name, Map<String, String> files) throws Exception {
        added(name, AppsApiTest.tarGz(files));
    }

    void added(String name, byte[] archive) throws Exception {
        HttpResponse<String> r = http.send(agent.request("/v1/functions/" + name).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    CompletableFuture<HttpResponse<String>> invoke(String name, String data) {
        return http.sendAsync(agent.request("/v1/functions/" + name + "/invoke").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString(data)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> call(String name, String data) throws Exception {
        return invoke(name, data).get(60, TimeUnit.SECONDS);
    }

    JsonNode awaitInfo(String name, String what, Predicate<JsonNode> condition) {
        return agent.awaitFunction(name, what, condition, Duration.ofSeconds(60));
    }

    static final String PID = "import os\ndef handle(data):\n    return b'%d:' % os.getpid() + data\n";

    @Test
    void twoHundredConcurrentInvokesOnAnEmptyPoolAllSucceedWithFewerColdStartsThanInvokes() throws Exception {
        added("many", Map.of("function.yaml", "runtime: python\nhandler: main.handle\n", "main.py", PID));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) calls.add(invoke("many", "n" + i));
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> r = calls.get(i).get(120, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).endsWith(":n" + i);
        }
        JsonNode starts = agent.get("/v1/functions/many").path("starts");
        long cold = starts.path("cold").asLong();
        long paused = starts.path("paused").asLong();
        long warm = starts.path("warm").asLong();
        assertThat(cold + paused + warm).as(starts.toString()).isEqualTo(200);
        assertThat(cold).as(starts.toString()).isLessThan(200);
        assertThat(warm).as(starts.toString()).isGreaterThan(0);
        assertThat(agent.get("/v1/functions/many").path("invocations").asLong()).isEqualTo(200);
    }

    @Test
    void anIdleWorkerIsPausedAfterKeepWarmAndThawedForTheNextCall() throws Exception {
        added("sleeper", Map.of("function.yaml", "runtime: python\nhandler: main.handle\nkeep-warm: 20ms\n", "main.py", PID));
        String pid = call("sleeper", "a").body().split(":")[0];
        JsonNode info = awaitInfo("sleeper", "the worker is paused after keep-warm",
                i -> i.path("running").path("workers").size() == 1 && i.path("running").path("workers").get(0).path("state").asText().equals("paused"));
        JsonNode worker = info.path("running").path("workers").get(0);
        assertThat(worker.path("pid").asText()).isEqualTo(pid);
        assertThat(worker.path("paused-by").asText()).isEqualTo("cgroup freezer");
        assertThat(info.path("running").path("pool").path("paused").asInt()).isEqualTo(1);
        long pausedBefore = info.path("starts").path("paused").asLong();
        HttpResponse<String> again = call("sleeper", "b");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(pid + ":b");
        assertThat(agent.get("/v1/functions/sleeper").path("starts").path("paused").asLong()).isEqualTo(pausedBefore + 1);
    }

    /** A handler that answers, then burns CPU for {@code SECONDS} of its thread's time on a thread of its own, then writes the file it was given. */
    static final String RUNS_ON = "import threading, time\nSECONDS = %s\n"
            + "def burn(path):\n    t = time.thread_time()\n    while time.thread_time() - t < SECONDS:\n        pass\n    open(path, 'w').write('done')\n"
            + "def handle(data):\n    threading.Thread(target=burn, args=(data.decode(),), daemon=True).start()\n    return b'ok'\n";

    @Test
    void aWorkerThatRunsOnAfterItsReplyIsPausedOnceItIsQuiet() throws Exception {
        added("runson", Map.of("function.yaml", "runtime: python\nhandler: main.handle\nkeep-warm: 5ms\n", "main.py", RUNS_ON.formatted("0.3")));
        java.nio.file.Path done = java.nio.file.Files.createTempDirectory("steward-runson-").resolve("done");
        assertThat(call("runson", done.toString()).body()).isEqualTo("ok");
        awaitInfo("runson", "the worker is paused once its thread is done",
                i -> i.path("running").path("workers").size() == 1 && i.path("running").path("workers").get(0).path("state").asText().equals("paused"));
        assertThat(done).as("its thread ran to its end before it was frozen").exists();
    }

    @Test
    void aWorkerThatNeverGoesQuietIsPausedAtTheLimit() throws Exception {
        added("spins", Map.of("function.yaml", "runtime: python\nhandler: main.handle\nkeep-warm: 5ms\n", "main.py", RUNS_ON.formatted("600")));
        java.nio.file.Path done = java.nio.file.Files.createTempDirectory("steward-spins-").resolve("done");
        long t0 = System.nanoTime();
        assertThat(call("spins", done.toString()).body()).isEqualTo("ok");
        awaitInfo("spins", "the worker is paused though its thread still runs",
                i -> i.path("running").path("workers").size() == 1 && i.path("running").path("workers").get(0).path("state").asText().equals("paused"));
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).as("left warm while it ran, up to the limit")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(3)); // the agent's limit (WarmRule.QUIET_LIMIT_NANOS)
        assertThat(done).doesNotExist();
    }

    @Test
    void aPausedWorkerThatCannotBeThawedIsKilledAndTheCallServedByAnother() throws Exception {
        added("lost", Map.of("function.yaml", "runtime: python\nhandler: main.handle\nkeep-warm: 20ms\n", "main.py", PID));
        assertThat(call("lost", "a").statusCode()).isEqualTo(200);
        JsonNode info = awaitInfo("lost", "the worker is paused after keep-warm",
                i -> i.path("running").path("workers").size() == 1 && i.path("running").path("workers").get(0).path("state").asText().equals("paused"));
        long pid = info.path("running").path("workers").get(0).path("pid").asLong();
        // its freezer group taken away under it: its processes moved to the hierarchy's root (which thaws them), the group removed
        Path freezer = Path.of("/sys/fs/cgroup/freezer");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(freezer), "pausing here is not by a cgroup v1 freezer group that can be taken away");
        String line = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup")).stream()
                .filter(l -> l.split(":", 3)[1].equals("freezer")).findFirst().orElseThrow(() -> new AssertionError("no v1 freezer group for " + pid));
        Path group = freezer.resolve(line.split(":", 3)[2].substring(1));
        for (String p : Files.readAllLines(group.resolve("cgroup.procs"))) Files.writeString(freezer.resolve("cgroup.procs"), p);
        Files.delete(group);

        HttpResponse<String> r = call("lost", "b");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).endsWith(":b").doesNotStartWith(pid + ":");
        JsonNode after = awaitInfo("lost", "the worker that could not be thawed is gone",
                i -> i.path("running").path("workers").size() == 1 && i.path("running").path("workers").get(0).path("pid").asLong() != pid);
        assertThat(after.path("running").path("last-crash").path("status").asText()).contains("it could not be thawed");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Files.exists(Path.of("/proc", Long.toString(pid)))) {
            assertThat(System.nanoTime()).as("worker " + pid + " killed").isLessThan(deadline);
            TestAgent.sleep(10);
        }
        assertThat(call("lost", "c").body()).endsWith(":c");
    }

    @Test
    void aPausedGenericWorkerOfThePoolLoadsTheFunctionItIsGiven() throws Exception {
        added("first", Map.of("function.yaml", "runtime: python\nhandler: main.handle\n", "main.py", PID));
        // adding a python function fills python's pool (two paused workers by default)
        awaitInfo("first", "python's pool is filled", i -> i.path("pool").asInt() == 2);
        HttpResponse<String> r = call("first", "x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode starts = agent.get("/v1/functions/first").path("starts");
        assertThat(starts.path("cold").asLong()).as(starts.toString()).isZero();
        assertThat(starts.path("paused").asLong()).as(starts.toString()).isEqualTo(1);
        // another function never gets the first one's worker: a worker, once given, serves its function alone
        added("second", Map.of("function.yaml", "runtime: python\nhandler: main.handle\n", "main.py", PID));
        String other = call("second", "y").body().split(":")[0];
        assertThat(other).isNotEqualTo(r.body().split(":")[0]);
        awaitInfo("first", "the pool refills", i -> i.path("pool").asInt() == 2);
    }

    @Test
    void aFunctionsFirstCallMayComeThroughTheRpcPortOrTheGateway() throws Exception {
        added("byrpc", Map.of("function.yaml", "runtime: python\nhandler: main.handle\n", "main.py", PID));
        try (dev.steward.protocol.Client c = dev.steward.protocol.Client.connect("127.0.0.1", agent.agent().rpcPort(), Duration.ofSeconds(30))) {
            byte[] reply = c.app("byrpc").enqueue("invoke", "first".getBytes(java.nio.charset.StandardCharsets.UTF_8)).readAll();
            assertThat(new String(reply, java.nio.charset.StandardCharsets.UTF_8)).endsWith(":first");
        }
        added("bygateway", Map.of("function.yaml", "runtime: python\nhandler: main.handle\n", "main.py", PID));
        HttpResponse<String> gw = http.send(HttpRequest.newBuilder(java.net.URI.create(agent.gateway + "/fn/bygateway"))
                .POST(HttpRequest.BodyPublishers.ofString("first")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(gw.statusCode()).as(gw.body()).isEqualTo(200);
        assertThat(gw.body()).endsWith(":first");
    }

    @Test
    void eachFunctionIsMeasuredInMetricsAndItsSeriesGoWithIt() throws Exception {
        added("measured", Map.of("function.yaml", "runtime: python\nhandler: main.handle\n",
                "main.py", "def handle(data):\n    if data == b'fail':\n        raise ValueError('asked to')\n    return data\n"));
        assertThat(call("measured", "one").statusCode()).isEqualTo(200);
        assertThat(call("measured", "two").statusCode()).isEqualTo(200);
        assertThat(call("measured", "fail").statusCode()).isEqualTo(500);
        String m = agent.call("GET", "/metrics", null).body();
        assertThat(m).containsPattern("steward_function_invocations_total\\{function=\"measured\"} 3(\\.0)?\n")
                .containsPattern("steward_function_errors_total\\{function=\"measured\"} 1(\\.0)?\n")
                .contains("steward_function_starts_total{function=\"measured\",kind=\"cold\"}", "steward_function_starts_total{function=\"measured\",kind=\"paused\"}",
                        "steward_function_starts_total{function=\"measured\",kind=\"warm\"}");
        long buckets = m.lines().filter(l -> l.startsWith("steward_function_latency_seconds_bucket{function=\"measured\"")).count();
        assertThat(buckets).as("latency buckets, +Inf included").isEqualTo(13);
        Promtool.check(m);
        JsonNode info = agent.get("/v1/functions/measured");
        assertThat(info.path("invocations").asLong()).isEqualTo(3);
        assertThat(info.path("errors").asLong()).isEqualTo(1);
        JsonNode starts = info.path("starts");
        assertThat(starts.path("cold").asLong() + starts.path("paused").asLong() + starts.path("warm").asLong()).as(starts.toString()).isEqualTo(3);
        agent.ok("DELETE", "/v1/functions/measured", null);
        assertThat(agent.call("GET", "/metrics", null).body()).doesNotContain("function=\"measured\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node", "shell"})
    void theOtherPooledRuntimesTakeTheirWorkersFromThePool(String runtime) throws Exception {
        Map<String, String> files = runtime.equals("node")
                ? Map.of("function.yaml", "runtime: node\nhandler: index.handle\n", "index.js", "exports.handle = (buf) => 'node:' + buf;\n")
                : Map.of("function.yaml", "runtime: shell\nhandler: run.sh\n", "run.sh", "printf 'shell:'; cat\n");
        added("pooled", files);
        awaitInfo("pooled", runtime + "'s pool is filled", i -> i.path("pool").asInt() == 2);
        HttpResponse<String> r = call("pooled", "hi");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(runtime + ":hi");
        JsonNode pooled = agent.get("/v1/functions/pooled");
        JsonNode starts = pooled.path("starts");
        assertThat(starts.path("cold").asLong()).as(starts + "; the pool: " + pooled.path("pool-state")).isZero();
        assertThat(starts.path("paused").asLong()).as(starts.toString()).isEqualTo(1);
    }

    @Test
    void javaTakesItsWorkerFromThePoolToo() throws Exception {
        Path dir = Path.of("..", "examples", "functions", "echo-java", "function");
        assertThat(Files.isDirectory(dir.resolve("lib"))).as(dir + "/lib is made by the example's build").isTrue();
        HttpResponse<String> added = http.send(agent.request("/v1/functions/jecho").header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(TestApps.tarGz(dir))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        awaitJavaCache("jecho");
        awaitInfo("jecho", "java's pool is filled (one JVM by default)", i -> i.path("pool").asInt() == 1);
        HttpResponse<String> r = call("jecho", "from the pool");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("from the pool");
        JsonNode starts = agent.get("/v1/functions/jecho").path("starts");
        assertThat(starts.path("cold").asLong()).as(starts.toString()).isZero();
        assertThat(starts.path("paused").asLong()).as(starts.toString()).isEqualTo(1);
    }

    /** Waits until the java workers' class cache is made (the pool's JVMs are then started again with it). */
    void awaitJavaCache(String function) {
        JsonNode cache = awaitInfo(function, "java's class cache is made",
                i -> i.path("java-cache").path("ready").asBoolean() || i.path("java-cache").has("last-error")).path("java-cache");
        assertThat(cache.path("ready").asBoolean()).as(cache.toString()).isTrue();
    }

    @Test
    void aPreWarmedJvmServesOneFunctionAloneWithItsEnvironmentAndStopsWithTheAgent() throws Exception {
        String body = "return (steward.environment().get(\"WHO\") + \" \" + steward.environment().containsKey(\"ONLY_ONE\") + \" \"\n"
                + "        + ProcessHandle.current().pid() + \" \" + new String(data)).getBytes();";
        added("jone", FunctionsTest.javaFunction(tmp, "One", "env: {WHO: one, ONLY_ONE: 'yes'}\n", body));
        awaitJavaCache("jone");
        awaitInfo("jone", "java's pool is filled (one JVM by default)", i -> i.path("pool").asInt() == 1);
        String[] one = call("jone", "a").body().split(" ");
        assertThat(one).containsExactly("one", "true", one[2], "a");
        JsonNode jone = agent.get("/v1/functions/jone");
        JsonNode starts = jone.path("starts");
        assertThat(starts.path("paused").asLong()).as("the pre-warmed JVM of the pool took it: " + starts + "; the pool: " + jone.path("pool-state")
                + "; the cache: " + jone.path("java-cache")).isEqualTo(1);
        assertThat(starts.path("cold").asLong()).as(starts.toString()).isZero();

        added("jtwo", FunctionsTest.javaFunction(tmp, "Two", "env: {WHO: two}\n", body));
        awaitInfo("jtwo", "java's pool is filled again", i -> i.path("pool").asInt() == 1);
        String[] two = call("jtwo", "b").body().split(" ");
        assertThat(two).as("the second function has its own environment, nothing of the first's").containsExactly("two", "false", two[2], "b");
        assertThat(two[2]).as("another JVM: a pre-warmed one serves one function alone").isNotEqualTo(one[2]);
        assertThat(agent.get("/v1/functions/jtwo").path("starts").path("paused").asLong()).isEqualTo(1);
        assertThat(call("jone", "c").body()).as("the first function keeps its own JVM").isEqualTo("one true " + one[2] + " c");
        JsonNode pool = agent.get("/v1/functions/jone").path("pool-state");
        assertThat(pool.path("taken").asLong()).as(pool.toString()).isEqualTo(2);
        assertThat(pool.path("started").asLong()).as(pool.toString()).isGreaterThanOrEqualTo(3);

        // the JVMs (the functions' and the one waiting in the pool) stop with the agent
        awaitInfo("jone", "java's pool is filled again", i -> i.path("pool").asInt() == 1);
        List<ProcessHandle> jvms = ProcessHandle.current().descendants()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains("dev.steward.worker.fn.FunctionRunner")).orElse(false)).toList();
        assertThat(jvms.stream().map(ProcessHandle::pid)).as("the two functions' JVMs and the pool's").hasSizeGreaterThanOrEqualTo(3)
                .contains(Long.parseLong(one[2]), Long.parseLong(two[2]));
        agent.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (jvms.stream().anyMatch(ProcessHandle::isAlive)) {
            assertThat(System.nanoTime()).as("the java workers end with the agent").isLessThan(deadline);
            TestAgent.sleep(20);
        }
        agent = TestAgent.start(tmp.resolve("data"));
    }

    /**
     * A function with limits runs in the sandbox, and so does its pool: the pooled JVM warms up in there (its stand-in
     * agent's socket, its temporary jar, the class cache mapped from the agent's cache directory) before it waits, then
     * serves the function's first call.
     */
    @Test
    void aPreWarmedJvmOfASandboxedPoolWarmsUpInsideTheSandboxAndServesTheFirstCall() throws Exception {
        added("jboxed", FunctionsTest.javaFunction(tmp, "Boxed", "resources: {memory: 256Mi}\n",
                "return (ProcessHandle.current().pid() + \" \" + new String(data)).getBytes();"));
        awaitJavaCache("jboxed");
        JsonNode filled = awaitInfo("jboxed", "the sandboxed java pool is filled (one JVM by default)", i -> i.path("pool").asInt() == 1);
        assertThat(filled.path("pool-state").path("isolate").asText()).isEqualTo("sandbox");
        HttpResponse<String> r = call("jboxed", "hi");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).endsWith(" hi");
        JsonNode jboxed = agent.get("/v1/functions/jboxed");
        JsonNode starts = jboxed.path("starts");
        assertThat(starts.path("paused").asLong()).as("the pool's JVM took it: " + starts + "; the pool: " + jboxed.path("pool-state")).isEqualTo(1);
        assertThat(starts.path("cold").asLong()).as(starts.toString()).isZero();

        StringBuilder logs = new StringBuilder();
        try (var files = Files.walk(agent.dataDir.resolve("logs").resolve("functions").resolve("jboxed"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) logs.append(Files.readString(p));
        }
        assertThat(logs.toString()).as("its log, its function's since it was taken").contains("steward: the java worker warmed up")
                .doesNotContain("warm-up failed").doesNotContain("[warning]").doesNotContain("[error]");

        long outer = jboxed.path("running").path("workers").get(0).path("pid").asLong();
        ProcessHandle jvm = ProcessHandle.of(outer).stream().flatMap(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h), h.descendants()))
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains("dev.steward.worker.fn.FunctionRunner")).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no JVM under the worker's process " + outer));
        assertThat(Files.readString(Path.of("/proc", Long.toString(jvm.pid()), "status"))).as("in a pid namespace of its own").containsPattern("NSpid:\\t\\d+\\t\\d+");
        String cache = agent.get("/v1/functions/jboxed").path("java-cache").path("file").asText();
        assertThat(Files.readString(Path.of("/proc", Long.toString(jvm.pid()), "maps"))).as("the JVM in the sandbox maps the class cache").contains(cache);
    }

    @Test
    void aFunctionOverItsMemoryLimitFailsWithOutOfMemoryAndThePoolRecovers() throws Exception {
        added("hog", Map.of("function.yaml", "runtime: python\nhandler: main.handle\nresources: {memory: 64Mi}\n",
                "main.py", "def handle(data):\n    if data == b'big':\n        hog = bytearray(400 << 20)\n        hog[::4096] = b'x' * len(hog[::4096])\n    return b'ok'\n"));
        HttpResponse<String> big = call("hog", "big");
        assertThat(big.statusCode()).as(big.body()).isEqualTo(503);
        assertThat(big.body()).contains("out of memory");
        HttpResponse<String> small = call("hog", "small");
        assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
        assertThat(small.body()).isEqualTo("ok");
        assertThat(agent.get("/v1/functions/hog").path("errors").asLong()).isEqualTo(1);
    }

    @Test
    void pastTheQueueLimitAnInvokeIsRefusedAsOverloadedWith429() throws Exception {
        Path gate = tmp.resolve("gate");
        added("narrow", Map.of("function.yaml", "runtime: python\nhandler: main.handle\nqueue-limit: 1\nenv: {GATE: '" + gate + "'}\n",
                "main.py", "import os, time\ndef handle(data):\n    while not os.path.exists(os.environ['GATE']):\n        time.sleep(0.01)\n    return b'done'\n"));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) calls.add(invoke("narrow", ""));
        // 16 calls per worker at most, one worker while one call waits (queue-limit 1): the rest are refused at once
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (calls.stream().filter(CompletableFuture::isDone).count() < 40 - 17) {
            assertThat(System.nanoTime()).as("refusals come at once").isLessThan(deadline);
            TestAgent.sleep(10);
        }
        Files.createFile(gate);
        int ok = 0;
        int refused = 0;
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.get(60, TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
                assertThat(r.body()).isEqualTo("done");
                ok++;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                assertThat(r.body()).contains("overloaded").contains("queue-limit 1");
                refused++;
            }
        }
        assertThat(ok).isBetween(1, 17);
        assertThat(refused).isEqualTo(40 - ok);
    }
}
