package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.spool.Archives.E;
import dev.steward.protocol.Client;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Functions on a real agent: each runtime's generic worker, same-worker calls, versions, removal, refusals. */
class FunctionsTest extends AgentTestBase {
    static final Path EXAMPLES = Path.of("..", "examples", "functions");
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    TestAgent.Res add(String name, byte[] archive) throws Exception {
        HttpResponse<String> r = http.send(agent.request("/v1/functions/" + name).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
        return new TestAgent.Res(r.statusCode(), r.body());
    }

    void added(String name, byte[] archive) throws Exception {
        TestAgent.Res r = add(name, archive);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    HttpRequest.Builder invokeRequest(String name, String data) {
        return agent.request("/v1/functions/" + name + "/invoke").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString(data));
    }

    TestAgent.Res invoke(String name, String data) throws Exception {
        HttpResponse<String> r = http.send(invokeRequest(name, data).build(), HttpResponse.BodyHandlers.ofString());
        return new TestAgent.Res(r.statusCode(), r.body());
    }

    JsonNode awaitInfo(String name, Predicate<JsonNode> condition) {
        return agent.awaitFunction(name, "function " + name, condition, Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo-python", "echo-node", "echo-shell", "echo-java"})
    void anEchoFunctionAnswersThroughTheApiTheGatewayAndTheRpcPort(String example) throws Exception {
        Path dir = EXAMPLES.resolve(example).resolve(example.equals("echo-java") ? "function" : "");
        assertThat(Files.isRegularFile(dir.resolve("function.yaml"))).as(dir + " (the java example's lib/ is made by its build)").isTrue();
        added(example, TestApps.tarGz(dir));
        TestAgent.Res api = invoke(example, "hello " + example);
        assertThat(api.status()).as(api.body()).isEqualTo(200);
        assertThat(api.body()).isEqualTo("hello " + example);
        HttpResponse<String> gw = http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/fn/" + example))
                .POST(HttpRequest.BodyPublishers.ofString("through the gateway")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(gw.statusCode()).as(gw.body()).isEqualTo(200);
        assertThat(gw.body()).isEqualTo("through the gateway");
        try (Client c = Client.connect("127.0.0.1", agent.agent().rpcPort(), Duration.ofSeconds(30))) {
            byte[] reply = c.app(example).enqueue("invoke", "over rpc".getBytes(StandardCharsets.UTF_8)).readAll();
            assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("over rpc");
        }
        JsonNode info = agent.get("/v1/functions/" + example);
        assertThat(info.path("runtime").asText()).isEqualTo(example.substring("echo-".length()));
        assertThat(info.path("invocations").asLong()).isEqualTo(3);
        assertThat(info.path("errors").asLong()).isZero();
        assertThat(info.path("running").path("workers")).isNotEmpty();
        assertThat(agent.get("/v1/functions").get(0).path("name").asText()).isEqualTo(example);
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/fn/nothing-here"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no function 'nothing-here'");
    }

    @Test
    void pingerCallsPongerInItsOwnWorkerProcess() throws Exception {
        added("ponger", TestApps.tarGz(EXAMPLES.resolve("ponger")));
        added("pinger", TestApps.tarGz(EXAMPLES.resolve("pinger")));
        assertThat(invoke("pinger", "hi").body()).isEqualTo("ping:pong:hi");
        // the pair again, each saying its process
        String[] words = pairInOneProcess("ping", "pong", "python", "main", "import os\ndef handle(data):\n    return b'pong %d' % os.getpid()\n",
                "import os, steward\ndef handle(data):\n    yield b'ping %d ' % os.getpid()\n    yield from steward.stream('pong', data)\n");
        JsonNode info = agent.get("/v1/functions/ping");
        assertThat(info.path("running").path("loads").toString()).isEqualTo("[\"ping\",\"pong\"]");
        assertThat(info.path("running").path("workers").get(0).path("pid").asLong()).isEqualTo(Long.parseLong(words[1]));
        assertThat(agent.get("/v1/functions/pong").has("running")).as("pong never ran as its own app").isFalse();
        // a call it did not declare fails, naming what it called
        added("sneaky", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: python\nhandler: main.handle\n",
                "main.py", "import steward\ndef handle(data):\n    return steward.invoke('pong', data)\n")));
        TestAgent.Res sneaky = invoke("sneaky", "");
        assertThat(sneaky.status()).isEqualTo(500);
        assertThat(sneaky.body()).contains("function sneaky does not declare pong in calls:");
    }

    @Test
    void aFanOutOfFourOtherWorkerCalleesPassesItsPartsThroughTheWorkflowDirectory() throws Exception {
        added("fanout-part", TestApps.tarGz(EXAMPLES.resolve("fanout-part")));
        added("fanout", TestApps.tarGz(EXAMPLES.resolve("fanout")));
        TestAgent.Res r = invoke("fanout", "w x y z");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).matches("w=W@\\d+ x=X@\\d+ y=Y@\\d+ z=Z@\\d+");
        long caller = agent.get("/v1/functions/fanout").path("running").path("workers").get(0).path("pid").asLong();
        List<Long> parts = new java.util.ArrayList<>();
        agent.get("/v1/functions/fanout-part").path("running").path("workers").forEach(w -> parts.add(w.path("pid").asLong()));
        for (String part : r.body().split(" ")) {
            long writer = Long.parseLong(part.substring(part.indexOf('@') + 1));
            assertThat(writer).as("written by a sibling worker, not the caller's").isNotEqualTo(caller).isIn(parts);
        }
        assertThat(agent.get("/v1/functions/fanout-part").path("invocations").asLong()).isEqualTo(4);
        awaitEmpty(agent.dataDir.resolve("workflows"), "the workflow's directory goes with its last invocation");

        // the four run at once: each waits until all four have written their file
        added("meet", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: python\nhandler: main.handle\ntimeout: 20s\n", "main.py",
                "import os, time, steward\ndef handle(data):\n    d = steward.workflow()\n    open(os.path.join(d, data.decode()), 'w').close()\n"
                        + "    while len(os.listdir(d)) < 4:\n        time.sleep(0.005)\n    return data\n")));
        added("gather", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: python\nhandler: main.handle\ncalls: {meet: other-worker}\n", "main.py",
                "import steward\ndef handle(data):\n    return b','.join(steward.invoke_all([('meet', w) for w in data.split()]))\n")));
        TestAgent.Res met = invoke("gather", "1 2 3 4");
        assertThat(met.status()).as(met.body()).isEqualTo(200);
        assertThat(met.body()).isEqualTo("1,2,3,4");
    }

    @Test
    void anOtherWorkerCalleesFailureAndTimeoutReachTheCallerNamingIt() throws Exception {
        added("flaky", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py", "def handle(data):\n    raise ValueError('no luck')\n")));
        added("slowpoke", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "timeout: 1s\n", "main.py",
                "import time\ndef handle(data):\n    time.sleep(30)\n    return b'late'\n")));
        added("boss", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "calls: {flaky: other-worker, slowpoke: other-worker}\n", "main.py",
                "import steward\ndef handle(data):\n    return steward.invoke(data.decode(), b'')\n")));
        fails("boss", "flaky", "function flaky failed: ValueError: no luck");
        fails("boss", "slowpoke", "function slowpoke failed: the session timed out after 1s");
        TestAgent.Res undeclared = invoke("boss", "boss");
        assertThat(undeclared.body()).contains("function boss does not declare boss in calls:");
        agent.ok("DELETE", "/v1/functions/flaky", null);
        assertThat(invoke("boss", "flaky").body()).contains("function flaky failed: no function 'flaky'");

        // a node caller of a python callee in another worker, streamed
        added("pyecho", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py",
                "import os\ndef handle(data):\n    yield b'%d:' % os.getpid()\n    yield data\n")));
        added("nboss", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\ncalls: {pyecho: other-worker}\n", "index.js",
                "exports.handle = async (buf, steward) => {\n  const parts = [];\n  for await (const p of steward.stream('pyecho', buf)) parts.push(p);\n"
                        + "  return process.pid + ' ' + Buffer.concat(parts);\n};\n")));
        String[] words = invoke("nboss", "hi").body().split(" ");
        assertThat(words).hasSize(2);
        assertThat(words[1]).endsWith(":hi").doesNotStartWith(words[0] + ":");
    }

    /** Invoking {@code name} with {@code data} fails (500) with {@code message}. */
    void fails(String name, String data, String message) throws Exception {
        TestAgent.Res r = invoke(name, data);
        assertThat(r.status()).as(r.body()).isEqualTo(500);
        assertThat(r.body()).contains(message);
    }

    void awaitEmpty(Path dir, String what) throws java.io.IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (var s = Files.list(dir)) {
                List<Path> left = s.toList();
                if (left.isEmpty()) return;
                assertThat(System.nanoTime()).as(what + ": " + left).isLessThan(deadline);
            }
            TestAgent.sleep(20);
        }
    }

    @Test
    void aNodeHandlerCallsItsCalleeInItsProcessAndHearsItsFailureByName() throws Exception {
        pairInOneProcess("nping", "npong", "node", "index",
                "exports.handle = (buf) => { if (buf.toString() === 'fail') throw new Error('no pong today'); return 'pong ' + process.pid; };\n",
                "exports.handle = async (buf, steward) => Buffer.concat([Buffer.from('ping ' + process.pid + ' '), await steward.invoke('npong', buf)]);\n");
        fails("nping", "fail", "function npong failed: no pong today");
        assertThat(agent.get("/v1/functions/nping").path("errors").asLong()).isEqualTo(1);
    }

    @Test
    void sameWorkerCalleesOfAnotherRuntimeRunInASecondProcessInTheCallersSandbox() throws Exception {
        added("nside", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\n", "index.js",
                "const fs = require('fs'), path = require('path');\n"
                        + "exports.handle = (buf, steward) => {\n  if (buf.toString() === 'fail') throw new Error('no node today');\n"
                        + "  fs.writeFileSync(path.join(steward.workflow(), 'from-node'), 'node wrote ' + buf);\n"
                        + "  return `node ${process.pid} ${process.ppid} ${fs.readFileSync('/proc/self/cgroup', 'utf8').trim()} ${fs.readlinkSync('/proc/self/ns/mnt')}`;\n};\n")));
        added("nslow", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\ntimeout: 1s\n", "index.js",
                "exports.handle = () => new Promise((r) => setTimeout(() => r('late'), 30000));\n")));
        added("sside", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: shell\nhandler: h.sh\n", "h.sh", "printf 'shell:'; cat\n")));
        added("pyside", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: python\nhandler: main.handle\nresources: {memory: 256Mi, pids: 64}\n"
                        + "calls: {nside: same-worker, nslow: same-worker, sside: same-worker}\n", "main.py",
                "import os, steward\ndef handle(data):\n    if data in (b'fail', b'slow'):\n"
                        + "        return steward.invoke('nslow' if data == b'slow' else 'nside', data)\n"
                        + "    node = steward.invoke('nside', data).decode()\n"
                        + "    wrote = open(os.path.join(steward.workflow(), 'from-node')).read()\n"
                        + "    me = 'python %d %s %s' % (os.getpid(), open('/proc/self/cgroup').read().strip(), os.readlink('/proc/self/ns/mnt'))\n"
                        + "    return '|'.join([me, node, wrote, steward.invoke('sside', data).decode()])\n")));
        TestAgent.Res r = invoke("pyside", "hi");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String[] parts = r.body().split("\\|");
        assertThat(parts).hasSize(4);
        String[] py = parts[0].split(" ");
        String[] node = parts[1].split(" ");
        assertThat(node[0]).isEqualTo("node");
        assertThat(node[2]).as("the node process is the python worker's child").isEqualTo(py[1]);
        assertThat(node[3]).as("in the caller's cgroup").isEqualTo(py[2]);
        assertThat(node[4]).as("in the caller's mount namespace").isEqualTo(py[3]);
        assertThat(parts[2]).as("the callee's file, read by the caller from the workflow's directory").isEqualTo("node wrote hi");
        assertThat(parts[3]).isEqualTo("shell:hi");
        JsonNode info = agent.get("/v1/functions/pyside");
        long worker = info.path("running").path("workers").get(0).path("pid").asLong();
        List<String> tree = new java.util.ArrayList<>(List.of(nsPid(worker)));
        ProcessHandle.of(worker).orElseThrow().descendants().forEach(p -> tree.add(nsPid(p.pid())));
        assertThat(tree).as("the worker's processes (their pids in its sandbox)").contains(py[1], node[1]);
        assertThat(info.path("running").path("loads").toString()).contains("\"nside\"", "\"nslow\"", "\"sside\"");
        assertThat(agent.get("/v1/functions/nside").has("running")).as("nside never ran as its own app").isFalse();
        // the second process is kept: the next call finds the same one
        assertThat(invoke("pyside", "again").body().split("\\|")[1].split(" ")[1]).isEqualTo(node[1]);

        fails("pyside", "fail", "function nside failed: Error: no node today");
        fails("pyside", "slow", "function nslow failed: timed out after 1s");

        // and a node caller of a python callee, the python process beside it
        added("pyback", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py",
                "import os\ndef handle(data):\n    if data == b'fail':\n        raise ValueError('no python today')\n    return b'python %d ' % os.getppid() + data\n")));
        added("nodecaller", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\ncalls: {pyback: same-worker}\n", "index.js",
                "exports.handle = async (buf, steward) => `node ${process.pid} ` + await steward.invoke('pyback', buf);\n")));
        String[] back = invoke("nodecaller", "ho").body().split(" ");
        assertThat(back).hasSize(5);
        assertThat(back[3]).as("the python process is the node worker's child").isEqualTo(back[1]);
        assertThat(back[4]).isEqualTo("ho");
        fails("nodecaller", "fail", "function pyback failed: ValueError: no python today");
        awaitEmpty(agent.dataDir.resolve("workflows"), "the workflows' directories go with their last invocation");
    }

    @Test
    void aSameWorkerCallThatTimesOutInTheProcessBesideIsStoppedThere() throws Exception {
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        // each callee writes its pid when it starts, and a file 15 s later; its timeout is 5 s
        added("nlate", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\ntimeout: 5s\n", "index.js",
                "const fs = require('fs');\nexports.handle = (buf) => {\n  if (buf.toString() === 'quick') return 'quick ' + process.pid;\n"
                        + "  fs.writeFileSync('" + marks.resolve("node-started") + "', String(process.pid));\n"
                        + "  return new Promise((r) => setTimeout(() => { fs.writeFileSync('" + marks.resolve("node-late") + "', 'late'); r('late'); }, 15000));\n};\n")));
        added("slate", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: shell\nhandler: h.sh\ntimeout: 5s\n", "h.sh",
                "echo $$ > " + marks.resolve("shell-started") + "\nsleep 15\necho late > " + marks.resolve("shell-late") + "\n")));
        added("pylate", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: python\nhandler: main.handle\ntimeout: 5s\n", "main.py",
                "import os, time\ndef handle(data):\n    open('" + marks.resolve("python-started") + "', 'w').write(str(os.getpid()))\n"
                        + "    time.sleep(15)\n    open('" + marks.resolve("python-late") + "', 'w').write('late')\n    return b'late'\n")));
        added("pycaller", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: python\nhandler: main.handle\ncalls: {nlate: same-worker, slate: same-worker}\n",
                "main.py", "import steward\ndef handle(data):\n    return steward.invoke('slate' if data == b'shell' else 'nlate', data)\n")));
        added("nodecaller", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\ncalls: {pylate: same-worker}\n", "index.js",
                "exports.handle = async (buf, steward) => steward.invoke('pylate', buf);\n")));

        fails("pycaller", "node", "function nlate failed: timed out after 5s");
        long node = stoppedThere(marks, "node");
        String again = invoke("pycaller", "quick").body();
        assertThat(again).as("the next call starts another node process").startsWith("quick ").isNotEqualTo("quick " + node);

        fails("pycaller", "shell", "function slate failed: timed out after 5s");
        stoppedThere(marks, "shell");

        fails("nodecaller", "", "function pylate failed: timed out after 5s");
        stoppedThere(marks, "python");
    }

    @Test
    void pythonAndNodeCallersCallAJavaCalleeSameWorkerInAJvmBesideThem() throws Exception {
        added("jbeside", javaFunction("Beside", "", """
                if (new String(data).equals("fail")) throw new IllegalStateException("no java today");
                return ("java " + ProcessHandle.current().pid() + " " + ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L)
                        + " " + new String(data)).getBytes();"""));
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        added("jlate", javaFunction("Late", "timeout: 5s\n", "java.nio.file.Files.writeString(java.nio.file.Path.of(\"" + marks.resolve("java-started")
                + "\"), Long.toString(ProcessHandle.current().pid()));\nThread.sleep(15000);\njava.nio.file.Files.writeString(java.nio.file.Path.of(\""
                + marks.resolve("java-late") + "\"), \"late\");\nreturn data;"));
        added("pyj", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "calls: {jbeside: same-worker, jlate: same-worker}\n", "main.py",
                "import os, steward\ndef handle(data):\n    callee = 'jlate' if data == b'slow' else 'jbeside'\n"
                        + "    return ('python %d ' % os.getpid()).encode() + steward.invoke(callee, data)\n")));
        String[] py = invoke("pyj", "hi").body().split(" ");
        assertThat(py).as(String.join(" ", py)).hasSize(6);
        assertThat(py[0]).isEqualTo("python");
        assertThat(py[2]).isEqualTo("java");
        assertThat(py[4]).as("the JVM is the python worker's child").isEqualTo(py[1]);
        assertThat(py[5]).isEqualTo("hi");
        assertThat(agent.get("/v1/functions/jbeside").has("running")).as("jbeside never ran as its own app").isFalse();
        assertThat(invoke("pyj", "again").body().split(" ")[3]).as("the JVM beside is kept for the next call").isEqualTo(py[3]);
        fails("pyj", "fail", "function jbeside failed: IllegalStateException: no java today");
        fails("pyj", "slow", "function jlate failed: timed out after 5s");
        stoppedThere(marks, "java");

        added("nodej", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\ncalls: {jbeside: same-worker}\n", "index.js",
                "exports.handle = async (buf, steward) => `node ${process.pid} ` + await steward.invoke('jbeside', buf);\n")));
        String[] node = invoke("nodej", "ho").body().split(" ");
        assertThat(node).as(String.join(" ", node)).hasSize(6);
        assertThat(node[2]).isEqualTo("java");
        assertThat(node[4]).as("the JVM is the node worker's child").isEqualTo(node[1]);
        assertThat(node[5]).isEqualTo("ho");
        fails("nodej", "fail", "function jbeside failed: IllegalStateException: no java today");
    }

    @Test
    void aJavaCallerCallsPythonAndNodeCalleesSameWorkerInProcessesBesideIt() throws Exception {
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        added("pyside", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py", "import os\ndef handle(data):\n"
                + "    if data == b'fail':\n        raise ValueError('no python today')\n"
                + "    return ('python %d %d ' % (os.getpid(), os.getppid())).encode() + data\n")));
        added("nodeside", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\n", "index.js",
                "exports.handle = (buf) => `node ${process.pid} ${process.ppid} ` + buf;\n")));
        added("pylate", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: python\nhandler: main.handle\ntimeout: 5s\n", "main.py",
                "import os, time\ndef handle(data):\n    open('" + marks.resolve("python-started") + "', 'w').write(str(os.getpid()))\n"
                        + "    time.sleep(15)\n    open('" + marks.resolve("python-late") + "', 'w').write('late')\n    return b'late'\n")));
        added("jcaller", javaFunction("Caller", "calls: {pyside: same-worker, nodeside: same-worker, pylate: same-worker}\n", """
                String s = new String(data);
                String callee = s.equals("node") ? "nodeside" : s.equals("slow") ? "pylate" : "pyside";
                return ("java " + ProcessHandle.current().pid() + " " + new String(steward.invoke(callee, data))).getBytes();"""));
        String[] py = invoke("jcaller", "hi").body().split(" ");
        assertThat(py).as(String.join(" ", py)).hasSize(6);
        assertThat(py[0]).isEqualTo("java");
        assertThat(py[2]).isEqualTo("python");
        assertThat(py[4]).as("the python process is the JVM's child").isEqualTo(py[1]);
        assertThat(py[5]).isEqualTo("hi");
        assertThat(agent.get("/v1/functions/pyside").has("running")).as("pyside never ran as its own app").isFalse();
        assertThat(invoke("jcaller", "again").body().split(" ")[3]).as("the python process beside is kept for the next call").isEqualTo(py[3]);
        String[] node = invoke("jcaller", "node").body().split(" ");
        assertThat(node).as(String.join(" ", node)).hasSize(6);
        assertThat(node[2]).isEqualTo("node");
        assertThat(node[4]).as("the node process is the JVM's child").isEqualTo(node[1]);
        assertThat(node[1]).as("the same JVM").isEqualTo(py[1]);
        fails("jcaller", "fail", "function pyside failed: ValueError: no python today");
        fails("jcaller", "slow", "function pylate failed: timed out after 5s");
        stoppedThere(marks, "python");
        assertThat(invoke("jcaller", "after").body()).as("a new python process beside after the one stopped").matches("java \\d+ python \\d+ \\d+ after");
    }

    @Test
    void callsToThePythonProcessBesideRunAtOnceAndAStreamedReplyComesWhole() throws Exception {
        Path marks = Files.createDirectories(tmp.resolve("together"));
        // each call marks its start and waits (20 s at most) until all four have started: one at a time, the first would wait alone
        added("pytogether", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py", "import os, time\ndef handle(data):\n"
                + "    d = '" + marks + "'\n    open(os.path.join(d, data.decode()), 'w').close()\n    deadline = time.time() + 20\n"
                + "    while len(os.listdir(d)) < 4 and time.time() < deadline:\n        time.sleep(0.01)\n"
                + "    yield b'%d:' % len(os.listdir(d))\n    yield data\n")));
        added("jtogether", javaFunction("Together", "calls: {pytogether: same-worker}\n", """
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
                java.util.List<java.util.concurrent.Future<byte[]>> got = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    byte[] d = ("c" + i).getBytes();
                    got.add(pool.submit(() -> steward.invoke("pytogether", d)));
                }
                StringBuilder b = new StringBuilder();
                for (var f : got) b.append(new String(f.get())).append(' ');
                pool.shutdown();
                return b.toString().trim().getBytes();"""));
        TestAgent.Res r = invoke("jtogether", "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("4:c0 4:c1 4:c2 4:c3");
    }

    @Test
    void pythonAndNodeCallersWaitForManyCallsBesideAtOnceStreamAndHearTheirCalleeDie() throws Exception {
        Path marks = Files.createDirectories(tmp.resolve("together"));
        // a node callee: "cN" marks its start and waits (20 s at most) until four calls have started; "pid" says its
        // process; "die" ends its process mid-call
        added("ntogether", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\n", "index.js",
                "const fs = require('fs'), path = require('path');\nconst d = '" + marks + "';\n"
                        + "exports.handle = (buf) => {\n  const s = buf.toString();\n  if (s === 'pid') return String(process.pid);\n"
                        + "  if (s === 'die') process.exit(3);\n  fs.writeFileSync(path.join(d, s), '');\n  const deadline = Date.now() + 20000;\n"
                        + "  return new Promise((r) => { const t = setInterval(() => { const n = fs.readdirSync(d).length;\n"
                        + "    if (n >= 4 || Date.now() > deadline) { clearInterval(t); r(n + ':' + s); } }, 10); });\n};\n")));
        // a python caller: four calls at once (each on a thread of its own), or a streamed call, or one whose callee dies
        added("pyconc", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "calls: {ntogether: same-worker}\n", "main.py",
                "import steward\ndef handle(data):\n    if data in (b'pid', b'die'):\n"
                        + "        return b'|'.join(steward.stream('ntogether', data))\n"
                        + "    return b' '.join(steward.invoke_all([('ntogether', b'c%d' % i) for i in range(4)]))\n")));
        TestAgent.Res r = invoke("pyconc", "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).as("all four ran at once, each reply to its own call").isEqualTo("4:c0 4:c1 4:c2 4:c3");
        String pid = invoke("pyconc", "pid").body();
        assertThat(pid).as("a streamed call's reply").matches("\\d+");
        fails("pyconc", "die", "function ntogether failed: its node process exited (status 3)");
        String again = invoke("pyconc", "pid").body();
        assertThat(again).as("the next call starts another node process").matches("\\d+").isNotEqualTo(pid);

        // a node caller: four calls at once, and one whose callee dies
        try (var s = Files.list(marks)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        added("pytogether", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py", "import os, time\ndef handle(data):\n"
                + "    if data == b'die':\n        os._exit(4)\n"
                + "    d = '" + marks + "'\n    open(os.path.join(d, data.decode()), 'w').close()\n    deadline = time.time() + 20\n"
                + "    while len(os.listdir(d)) < 4 and time.time() < deadline:\n        time.sleep(0.01)\n"
                + "    return b'%d:%s' % (len(os.listdir(d)), data)\n")));
        added("nconc", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\ncalls: {pytogether: same-worker}\n", "index.js",
                "exports.handle = async (buf, steward) => {\n  if (buf.toString() === 'die') return steward.invoke('pytogether', buf);\n"
                        + "  const got = await Promise.all([0, 1, 2, 3].map((i) => steward.invoke('pytogether', 'c' + i)));\n"
                        + "  return got.join(' ');\n};\n")));
        TestAgent.Res n = invoke("nconc", "");
        assertThat(n.status()).as(n.body()).isEqualTo(200);
        assertThat(n.body()).isEqualTo("4:c0 4:c1 4:c2 4:c3");
        fails("nconc", "die", "function pytogether failed: its python process exited (status 4)");
    }

    @Test
    void aNodeCallerReadsItsRepliesBesideItselfYetItsEventLoopGetsItsTurns() throws Exception {
        added("pyquick", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py", "def handle(data):\n    return data\n")));
        // "turns": quick calls beside for 400 ms, a 5 ms timer set at their start; else: how often the event loop's thread
        // slept (its voluntary context switches) over 200 quick calls beside
        String caller = """
                const fs = require('fs');
                const slept = () => Number(/voluntary_ctxt_switches:\\s+(\\d+)/.exec(fs.readFileSync(`/proc/self/task/${process.pid}/status`, 'latin1'))[1]);
                exports.handle = async (buf, steward) => {
                  await steward.invoke('pyquick', 'warm');
                  if (buf.toString() === 'turns') {
                    const t0 = Date.now();
                    let fired = -1, after = 0;
                    setTimeout(() => { fired = Date.now() - t0; }, 5);
                    while (Date.now() - t0 < 400) {
                      await steward.invoke('pyquick', 'x');
                      if (fired >= 0) after++;
                    }
                    return `${fired} ${after}`;
                  }
                  const before = slept();
                  for (let i = 0; i < 200; i++) await steward.invoke('pyquick', 'x');
                  return String(slept() - before);
                };
                """;
        for (String[] c : new String[][] {{"nlooks", "1000000"}, {"nsleeps", "0"}}) {
            added(c[0], AppsApiTest.tarGz(Map.of("function.yaml", "runtime: node\nhandler: index.handle\ncalls: {pyquick: same-worker}\n"
                    + "env: {STEWARD_SIDE_SPIN_US: '" + c[1] + "'}\n", "index.js", caller)));
        }
        TestAgent.Res looks = invoke("nlooks", "");
        assertThat(looks.status()).as(looks.body()).isEqualTo(200);
        int looked = Integer.parseInt(looks.body());
        assertThat(looked).as("times a caller that looks for its replies for up to 1 s slept in 200 calls").isLessThan(20);
        TestAgent.Res sleeps = invoke("nsleeps", "");
        assertThat(sleeps.status()).as(sleeps.body()).isEqualTo(200);
        // (on a busy machine a reply is sometimes there before the caller sleeps: about half of them beside two CPU hogs)
        assertThat(Integer.parseInt(sleeps.body())).as("times a caller told 0 slept in 200 calls, against %d", looked)
                .isGreaterThan(Math.max(50, 3 * looked));
        String[] turns = invoke("nlooks", "turns").body().split(" ");
        assertThat(Integer.parseInt(turns[0])).as("when the 5 ms timer fired, ms after the calls began (-1: only after they ended)").isBetween(0, 399);
        assertThat(Integer.parseInt(turns[1])).as("calls answered after the timer fired, while the handler still made them").isPositive();
    }

    /** Whether process {@code pid} runs (a zombie, ended but not reaped yet, does not). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * The callee of {@code runtime} that timed out wrote its pid when it started: that process is gone (killed when the
     * call timed out), so the file it was to write later never comes. Its pid.
     */
    static long stoppedThere(Path marks, String runtime) throws Exception {
        long pid = Long.parseLong(Files.readString(marks.resolve(runtime + "-started")).trim());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (running(pid)) {
            assertThat(System.nanoTime()).as("the " + runtime + " callee's process " + pid + " is stopped after its timeout").isLessThan(deadline);
            TestAgent.sleep(20);
        }
        assertThat(marks.resolve(runtime + "-late")).as("the stopped callee's work is gone: it never writes its late file").doesNotExist();
        return pid;
    }

    @Test
    void javaHandlersCallTheirCalleesSameWorkerAndInSiblingWorkers() throws Exception {
        added("jponger", javaFunction("Pong", "", "return (\"pong:\" + new String(data) + \" \" + ProcessHandle.current().pid()).getBytes();"));
        added("jpinger", javaFunction("Ping", "calls: {jponger: same-worker}\n",
                "return (\"ping:\" + new String(steward.invoke(\"jponger\", data)) + \" \" + ProcessHandle.current().pid()).getBytes();"));
        TestAgent.Res pair = invoke("jpinger", "hi");
        assertThat(pair.status()).as(pair.body()).isEqualTo(200);
        String[] words = pair.body().split(" ");
        assertThat(words[0]).isEqualTo("ping:pong:hi");
        assertThat(words[1]).as("the callee ran in the caller's process").isEqualTo(words[2]);
        assertThat(agent.get("/v1/functions/jpinger").path("running").path("workers").get(0).path("pid").asLong()).isEqualTo(Long.parseLong(words[2]));
        assertThat(agent.get("/v1/functions/jponger").has("running")).as("jponger never ran as its own app").isFalse();

        added("jpart", javaFunction("Part", "", "java.nio.file.Files.writeString(steward.workflow().resolve(new String(data)),"
                + " new String(data).toUpperCase() + \"@\" + ProcessHandle.current().pid()); return new byte[0];"));
        added("pyfail", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py", "def handle(data):\n    raise ValueError('not today')\n")));
        added("jfan", javaFunction("Fan", "calls: {jpart: other-worker, pyfail: other-worker}\n", """
                if (new String(data).equals("fail")) return steward.invoke("pyfail", data);
                java.util.List<Thread> calls = new java.util.ArrayList<>();
                java.util.List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
                String[] words = new String(data).split(" ");
                for (String w : words) calls.add(Thread.ofVirtual().start(() -> {
                    try { steward.invoke("jpart", w.getBytes()); } catch (Exception e) { failures.add(e); }
                }));
                for (Thread t : calls) t.join();
                if (!failures.isEmpty()) throw failures.get(0);
                StringBuilder out = new StringBuilder();
                for (String w : words) out.append(w).append('=').append(java.nio.file.Files.readString(steward.workflow().resolve(w))).append(' ');
                return (out.toString() + ProcessHandle.current().pid()).getBytes();"""));
        TestAgent.Res fan = invoke("jfan", "w x y z");
        assertThat(fan.status()).as(fan.body()).isEqualTo(200);
        assertThat(fan.body()).matches("w=W@\\d+ x=X@\\d+ y=Y@\\d+ z=Z@\\d+ \\d+");
        String[] fanned = fan.body().split(" ");
        List<Long> parts = new java.util.ArrayList<>();
        agent.get("/v1/functions/jpart").path("running").path("workers").forEach(w -> parts.add(w.path("pid").asLong()));
        for (int i = 0; i < 4; i++) {
            long writer = Long.parseLong(fanned[i].substring(fanned[i].indexOf('@') + 1));
            assertThat(writer).as("written by a sibling worker, not the caller's").isNotEqualTo(Long.parseLong(fanned[4])).isIn(parts);
        }
        assertThat(agent.get("/v1/functions/jpart").path("invocations").asLong()).isEqualTo(4);
        fails("jfan", "fail", "function pyfail failed: ValueError: not today");
        awaitEmpty(agent.dataDir.resolve("workflows"), "the workflows' directories go with their last invocation");
        // the java workers' class cache (JDK 25 and later: an ahead-of-time cache; before: a class-data archive), made once
        // by a training run when the first java function came, is mapped by every java worker started after it
        JsonNode cache = awaitInfo("jpart", i -> i.path("java-cache").path("ready").asBoolean() || i.path("java-cache").has("last-error"))
                .path("java-cache");
        assertThat(cache.path("ready").asBoolean()).as(cache.toString()).isTrue();
        assertThat(cache.path("kind").asText()).isEqualTo(Runtime.version().feature() >= 25 ? "aot" : "cds");
        Path file = Path.of(cache.path("file").asText());
        assertThat(file.getParent()).isEqualTo(agent.dataDir.resolve("cache"));
        added("jafter", javaFunction("After", "", "return (\"after \" + ProcessHandle.current().pid()).getBytes();"));
        String after = invoke("jafter", "").body();
        assertThat(after).startsWith("after ");
        String maps = Files.readString(Path.of("/proc", after.substring("after ".length()), "maps"));
        assertThat(maps).as("the worker started after the cache was made maps it").contains(file.toString());
    }

    /** The pid of process {@code pid} in its own pid namespace (its last NSpid). */
    static String nsPid(long pid) {
        try {
            String line = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("NSpid:")).findFirst().orElse("");
            return line.substring(line.lastIndexOf('\t') + 1);
        } catch (java.io.IOException e) {
            return "gone";
        }
    }

    /** A java function of one class, {@code com.example.CLASS}, whose handler's body is {@code body}, compiled here into its classes/. */
    byte[] javaFunction(String className, String yaml, String body) throws Exception {
        return javaFunction(tmp, className, yaml, body);
    }

    /** {@link #javaFunction(String, String, String)}, compiled under {@code tmp}. */
    static byte[] javaFunction(Path tmp, String className, String yaml, String body) throws Exception {
        Path dir = tmp.resolve("fn-" + className);
        Path src = tmp.resolve("src-" + className).resolve(className + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package com.example;\nimport dev.steward.worker.fn.*;\npublic final class " + className + " implements Function {\n"
                + "    @Override public byte[] handle(byte[] data, Steward steward) throws Exception {\n" + body + "\n    }\n}\n");
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        java.io.StringWriter errors = new java.io.StringWriter();
        try (var files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(errors, files, null, List.of("-d", dir.resolve("classes").toString(), "-cp", System.getProperty("java.class.path")),
                    null, files.getJavaFileObjects(src)).call();
            assertThat(ok).as(errors.toString()).isTrue();
        }
        Files.writeString(dir.resolve("function.yaml"), "runtime: java\nhandler: com.example." + className + "\n" + yaml);
        return TestApps.tarGz(dir);
    }

    /**
     * Adds {@code pong} and {@code ping} (which calls it, same-worker) in {@code runtime}, their handlers
     * {@code MODULE.handle}; invokes ping, whose reply is "ping PID pong PID"; the two pids are one. Its words.
     */
    String[] pairInOneProcess(String ping, String pong, String runtime, String module, String pongCode, String pingCode) throws Exception {
        String file = module + (runtime.equals("node") ? ".js" : ".py");
        added(pong, AppsApiTest.tarGz(Map.of("function.yaml", "runtime: " + runtime + "\nhandler: " + module + ".handle\n", file, pongCode)));
        added(ping, AppsApiTest.tarGz(Map.of("function.yaml", "runtime: " + runtime + "\nhandler: " + module + ".handle\ncalls: {" + pong + ": same-worker}\n",
                file, pingCode)));
        String[] words = invoke(ping, "").body().split(" ");
        assertThat(words).hasSize(4);
        assertThat(words[0]).isEqualTo("ping");
        assertThat(words[2]).isEqualTo("pong");
        assertThat(words[3]).as("the callee's process").isEqualTo(words[1]);
        return words;
    }

    /** A python function that answers {@code reply} once {@code gate} exists. */
    static byte[] gated(String reply, Path gate) throws Exception {
        return AppsApiTest.tarGz(Map.of("function.yaml", "runtime: python\nhandler: main.handle\nenv: {GATE: '" + gate + "'}\n",
                "main.py", "import os, time\ndef handle(data):\n    while not os.path.exists(os.environ['GATE']):\n        time.sleep(0.01)\n"
                        + "    return b'" + reply + "'\n"));
    }

    CompletableFuture<HttpResponse<String>> startInvoke(String name) {
        return http.sendAsync(invokeRequest(name, "").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aNewVersionTakesNewCallsWhileTheOldOneFinishesItsOwn() throws Exception {
        Path gate = tmp.resolve("gate");
        added("slow", gated("v1", gate));
        CompletableFuture<HttpResponse<String>> first = startInvoke("slow");
        awaitInfo("slow", i -> i.path("running").path("in-flight").asInt() == 1 && i.path("running").path("workers").size() == 1
                && i.path("running").path("workers").get(0).path("load").asInt() == 1);
        added("slow", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: python\nhandler: main.handle\n",
                "main.py", "def handle(data):\n    return b'v2'\n")));
        assertThat(invoke("slow", "").body()).isEqualTo("v2");
        JsonNode info = agent.get("/v1/functions/slow");
        assertThat(info.path("version").asInt()).isEqualTo(2);
        assertThat(info.path("versions").size()).isEqualTo(2);
        assertThat(first).isNotDone();
        Files.createFile(gate);
        HttpResponse<String> old = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(old.statusCode()).isEqualTo(200);
        assertThat(old.body()).isEqualTo("v1");
    }

    @Test
    void removingAFunctionLetsTheRunningCallFinishAndThenStopsItsWorkers() throws Exception {
        Path gate = tmp.resolve("gate");
        added("slow", gated("done", gate));
        CompletableFuture<HttpResponse<String>> running = startInvoke("slow");
        JsonNode info = awaitInfo("slow", i -> i.path("running").path("workers").size() == 1
                && i.path("running").path("workers").get(0).path("load").asInt() == 1);
        long pid = info.path("running").path("workers").get(0).path("pid").asLong();
        agent.ok("DELETE", "/v1/functions/slow", null);
        assertThat(agent.call("GET", "/v1/functions/slow", null).status()).isEqualTo(404);
        assertThat(invoke("slow", "").status()).isEqualTo(404);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the worker finishes its call").contains(true);
        Files.createFile(gate);
        assertThat(running.get(60, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("done");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertThat(System.nanoTime()).as("the removed function's worker ends").isLessThan(deadline);
            TestAgent.sleep(20);
        }
        assertThat(agent.get("/v1/functions")).isEmpty();
    }

    static final String OK_YAML = "runtime: python\nhandler: main.handle\n";

    @Test
    void badManifestsAndHostileArchivesAreRefusedWithNothingStored() throws Exception {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("the function has no function.yaml at its root", AppsApiTest.tarGz(Map.of("main.py", "x")));
        bad.put("runtime: 'ruby' is not a runtime", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: ruby\nhandler: main.handle\n")));
        bad.put("colour: unknown field", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "colour: blue\n", "main.py", "")));
        bad.put("timeout: ", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "timeout: [1]\n", "main.py", "")));
        bad.put("'handle' is not a python handler", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: python\nhandler: handle\n")));
        bad.put("handler: the function has no file main.py", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "other.py", "")));
        bad.put("handler: no class com.example.Nope", AppsApiTest.tarGz(Map.of("function.yaml", "runtime: java\nhandler: com.example.Nope\n")));
        bad.put("calls: a cycle, me -> me", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "calls: {me: same-worker}\n", "main.py", "")));
        bad.put("calls.ghost: no function 'ghost'", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "calls: {ghost: other-worker}\n", "main.py", "")));
        bad.put("calls.b: expected a string, got the number 3", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "calls: {b: 3}\n", "main.py", "")));
        bad.put("calls.b: 'sideways' (expected: same-worker or other-worker)",
                AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "calls: {b: sideways}\n", "main.py", "")));
        bad.put("calls: ", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "calls: [b]\n", "main.py", "")));
        bad.put("climbs out of the archive", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py", "", "a/../../../escape", "x")));
        bad.put("not a .tar.gz, .tar or .zip", "not an archive".getBytes(StandardCharsets.UTF_8));
        String climb = "d/x2/" + "x/".repeat(30) + "../".repeat(31) + "etc/passwd";
        bad.put("leads outside the archive", AppsApiTest.tarGz(List.of(E.symlink("main.py", climb), E.file("function.yaml", OK_YAML),
                E.dir("d"), E.symlink("d/x2", ".."), E.symlink("x", "."))));
        for (var e : bad.entrySet()) {
            TestAgent.Res r = add("me", e.getValue());
            assertThat(r.status()).as(e.getKey() + ": " + r.body()).isEqualTo(400);
            assertThat(r.body()).as(e.getKey()).contains(e.getKey()).doesNotContain("root:");
        }
        assertThat(add("..", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py", ""))).status()).isIn(400, 404);
        assertThat(agent.get("/v1/functions")).isEmpty();
        assertThat(namesIn("spool")).as("refused after unpacking: nothing kept").isEmpty();
        assertThat(namesIn("uploads")).isEmpty();
        assertThat(agent.call("DELETE", "/v1/functions/me", null).status()).isEqualTo(404);
        assertThat(invoke("me", "").status()).isEqualTo(404);

        // with functions stored: a cycle through them, an app's name
        added("b", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py", "")));
        added("a", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "calls: {b: same-worker}\n", "main.py", "")));
        TestAgent.Res cycle = add("b", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML + "calls: {a: other-worker}\n", "main.py", "")));
        assertThat(cycle.status()).isEqualTo(400);
        assertThat(cycle.json().path("error").asText()).containsAnyOf("calls: a cycle, a -> b -> a", "calls: a cycle, b -> a -> b");
        TestApps.upload(agent, "anapp", Map.of());
        TestAgent.Res clash = add("anapp", AppsApiTest.tarGz(Map.of("function.yaml", OK_YAML, "main.py", "")));
        assertThat(clash.status()).isEqualTo(409);
        assertThat(agent.get("/v1/functions").size()).isEqualTo(2);
        assertThat(agent.get("/v1/functions/a").path("versions").size()).isEqualTo(1);
        assertThat(agent.get("/v1/functions/b").path("versions").size()).isEqualTo(1);
    }

    List<String> namesIn(String dir) throws java.io.IOException {
        Path d = agent.dataDir.resolve(dir);
        if (!Files.exists(d)) return List.of();
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
