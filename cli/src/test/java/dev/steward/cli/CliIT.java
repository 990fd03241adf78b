package dev.steward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.AgentTestBase;
import dev.steward.agent.Procs;
import dev.steward.agent.TestAgent;
import dev.steward.agent.tls.SelfSigned;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The steward command against a real agent: output, waiting, and exit codes 0, 1 and 2. */
class CliIT extends AgentTestBase {

    record Run(int code, String out, String err) {
        JsonNode json() {
            return Json.tree(out);
        }
    }

    Run steward(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        boolean local = args[0].equals("agent") || args[0].equals("completion"); // commands that do not call an agent
        if (!all.contains("--addr") && !all.contains("--version") && !local) {
            all.add("--addr");
            all.add(agent.base);
        }
        if (!all.remove("--no-token") && !all.contains("--token") && !all.contains("--version") && !local) {
            all.add("--token");
            all.add(agent.token);
        }
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(all.toArray(String[]::new));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    Path spec(String name, String text) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("specs"));
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void registerWaitsUntilAvailableAndQueryShowsIt() throws Exception {
        Files.createDirectories(tmp.resolve("specs/site"));
        Files.writeString(tmp.resolve("specs/site/index.html"), "hi from site");
        Path f = spec("web.yaml", "kind: service\nname: web\ndir: site\ncommand: " + Procs.httpServer() + "\nping: {http: /index.html}\n");
        Run r = steward("service", "register", "-f", f.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("web: available, healthy, 1 running on 127.0.0.1:");
        Run q = steward("service", "query", "web", "--json");
        JsonNode v = q.json();
        assertThat(v.path("state").asText()).isEqualTo("available");
        assertThat(v.path("spec").path("dir").asText()).isEqualTo(tmp.resolve("specs/site").toString());
        JsonNode i = v.path("instances").get(0);
        for (String field : List.of("id", "state", "pid", "port", "node", "started", "restarts")) assertThat(i.has(field)).as(field).isTrue();
        Run table = steward("service", "query");
        assertThat(table.out()).contains("NAME").contains("web").contains("available");
        assertThat(steward("service", "query", "web").out()).contains("state:      available").contains("INSTANCE");
        assertThat(steward("status").out()).contains("1 services: 1 available");
    }

    @Test
    void stopModifyLogsAndUnregister() throws Exception {
        Path f = spec("t.yaml", "name: t\ncommand: [/bin/sh, -c, 'echo hello-log; exec sleep 600']\nping: {exec: [\"true\"]}\n");
        assertThat(steward("apply", "-f", f.toString()).code()).isZero();
        Run mod = steward("service", "modify", "t", "--set", "instances=2");
        assertThat(mod.code()).as(mod.err()).isZero();
        assertThat(mod.out()).contains("2 running");
        assertThat(steward("service", "logs", "t", "--tail", "5").out()).contains("hello-log");
        Run stop = steward("service", "stop", "t");
        assertThat(stop.code()).isZero();
        assertThat(stop.out()).isEqualTo("t: stopped\n");
        Run again = steward("service", "stop", "t");
        assertThat(again.code()).as(again.err()).isZero(); // stopping what is stopped succeeds and says so
        assertThat(again.out()).isEqualTo("t: already stopped, nothing to stop\n");
        assertThat(steward("service", "start", "t", "--instances", "1").out()).contains("t: available");
        assertThat(steward("service", "unregister", "t").code()).isZero();
        assertThat(steward("service", "query", "--json").json()).isEmpty();
    }

    @Test
    void aJobExitsWithItsStatusAndPrintsItsLog() throws Exception {
        Path f = spec("j.yaml", "kind: job\nname: j\ncommand: [/bin/sh, -c, 'echo job-output; exit 3']\n");
        Run r = steward("job", "run", "-f", f.toString());
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.out()).contains("job-output");
        Path ok = spec("ok.yaml", "kind: job\nname: ok\ncommand: [\"true\"]\n");
        assertThat(steward("job", "run", "-f", ok.toString()).code()).isZero();
        // detached: the id at once; then list, logs and stop
        Path slow = spec("slow.yaml", "kind: job\nname: slow\ncommand: [/bin/sh, -c, 'echo slow-started; exec sleep 600']\n");
        Run d = steward("job", "run", "-f", slow.toString(), "--detach");
        assertThat(d.code()).as(d.err()).isZero();
        String id = d.out().strip();
        assertThat(id).startsWith("slow-");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!steward("job", "logs", id).out().contains("slow-started")) {
            assertThat(System.nanoTime()).as("the job's log within 30 s").isLessThan(deadline);
            TestAgent.sleep(50);
        }
        assertThat(steward("job", "list").out()).contains(id).contains("running");
        Run stop = steward("job", "stop", id);
        assertThat(stop.code()).as(stop.err()).isZero();
        assertThat(stop.out()).isEqualTo(id + ": stopping\n");
        while (!steward("job", "list", "--json").json().findValuesAsText("state").contains("failed")
                || !steward("job", "stop", id).out().contains("already ended")) {
            assertThat(System.nanoTime()).as("the job stopped within 30 s").isLessThan(deadline);
            TestAgent.sleep(50);
        }
        assertThat(steward("job", "stop", "nope-00000000").code()).isEqualTo(3);
        assertThat(steward("job", "logs", "../x").code()).isEqualTo(2);
    }

    @Test
    void ctrlCOnJobRunStopsTheJobAndADetachedJobGoesOn() throws Exception {
        Path pids = Files.createDirectories(tmp.resolve("pids"));
        Path f = spec("long.yaml", "kind: job\nname: long\ncommand: [/bin/sh, -c, 'echo $$ > " + pids + "/$STEWARD_INSTANCE; exec sleep 120']\n");
        // the CLI as a user runs it, in a process of its own, and Ctrl-C as a terminal sends it: SIGINT
        Process cli = FirstRunIT.java("job", "run", "-f", f.toString(), "--addr", agent.base, "--token", agent.token).start();
        java.io.BufferedReader err = new java.io.BufferedReader(new java.io.InputStreamReader(cli.getErrorStream(), StandardCharsets.UTF_8));
        String id = null;
        try {
            while (id == null) {
                String line = err.readLine();
                assertThat(line).as("job run's output ended before the job ran").isNotNull();
                if (line.matches("job long-\\S+: running")) id = line.substring(4, line.indexOf(':'));
            }
            long pid = awaitJobPid(pids, id);
            // a process started with SIGINT ignored (as a shell starts a background job, and so the whole build and this
            // CLI inherit it) keeps it ignored: the JVM then installs no handler for it, as any program would not; the
            // same stop is then asked with SIGTERM, which the CLI handles alike
            String signal = sigintIgnored() ? "-TERM" : "-INT";
            Process sigint = new ProcessBuilder("kill", signal, Long.toString(cli.pid())).start();
            assertThat(sigint.waitFor()).isZero();
            boolean exited = cli.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            String jobId = id;
            assertThat(exited).as(() -> "job run exits after Ctrl-C; the job: " + agent.get("/v1/jobs/" + jobId)
                    + "; its threads:\n" + threads(cli.pid())).isTrue();
            assertThat(err.lines().toList()).contains("job " + id + ": stopped (interrupted)");
            JsonNode job = awaitJob(id, j -> !j.path("state").asText().equals("running"));
            assertThat(job.path("state").asText()).isEqualTo("failed");
            assertThat(job.path("reason").asText()).startsWith("stopped");
            awaitGone(pid);
        } finally {
            cli.destroyForcibly().waitFor();
        }

        // with --detach, the CLI gives the id and leaves: the job goes on after it has exited
        Process detached = FirstRunIT.java("job", "run", "-f", f.toString(), "--detach", "--addr", agent.base, "--token", agent.token).start();
        assertThat(detached.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(detached.exitValue()).as(new String(detached.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        String other = new String(detached.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(other).startsWith("long-").isNotEqualTo(id);
        long pid = awaitJobPid(pids, other);
        JsonNode running = agent.get("/v1/jobs/" + other);
        assertThat(running.path("state").asText()).isEqualTo("running");
        assertThat(running.has("exit-code")).as("no exit code while it runs: absent, not -1: " + running).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        assertThat(steward("job", "stop", other).code()).isZero();
        awaitGone(pid);
    }

    /** Whether this process was started with SIGINT ignored (bit 2 of SigIgn in /proc/self/status): its children inherit it. */
    private static boolean sigintIgnored() throws java.io.IOException {
        for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0x2) != 0;
        }
        return false;
    }

    /** What a JVM's threads are doing (jcmd's Thread.print), for a failure's message. */
    private static String threads(long pid) {
        try {
            java.nio.file.Path jcmd = java.nio.file.Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            return "(cannot tell: " + e + ")";
        }
    }

    @Test
    void jobLogsAndEventsFollowWhatHappensAfterTheyStarted() throws Exception {
        Path go = tmp.resolve("go");
        Path f = spec("talk.yaml", "kind: job\nname: talk\ncommand: [/bin/sh, -c, 'echo first; while [ ! -f " + go
                + " ]; do sleep 0.05; done; echo second; exec sleep 600']\n");
        String id = steward("job", "run", "-f", f.toString(), "--detach").out().strip();
        Path w = spec("ew.yaml", "name: ew\ncommand: [/bin/sh, -c, 'exec sleep 600']\nping: {exec: [\"true\"]}\n");
        assertThat(steward("apply", "-f", w.toString()).code()).isZero();
        Process logs = FirstRunIT.java("job", "logs", id, "-f", "--addr", agent.base, "--token", agent.token).start();
        Process events = FirstRunIT.java("events", "--follow", "--service", "ew", "--addr", agent.base, "--token", agent.token).start();
        try {
            java.io.BufferedReader log = new java.io.BufferedReader(new java.io.InputStreamReader(logs.getInputStream(), StandardCharsets.UTF_8));
            awaitLineFrom(log, "first");
            Files.writeString(go, ""); // only now does the job write its second line
            awaitLineFrom(log, "second");
            java.io.BufferedReader ev = new java.io.BufferedReader(new java.io.InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8));
            awaitLineFrom(ev, "ew  available");
            agent.ok("POST", "/v1/services/ew/stop", null); // after the follower has caught up: a new event
            awaitLineFrom(ev, "ew  stopped");
        } finally {
            logs.destroyForcibly().waitFor();
            events.destroyForcibly().waitFor();
            steward("job", "stop", id);
        }
        Run bad = steward("job", "logs", id, "--tail", "-3");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("tail");
        assertThat(steward("events", "--follow", "--service", "a/b").code()).isEqualTo(2);
    }

    /** Reads lines until one contains {@code text}; fails when the output ends first. */
    private static void awaitLineFrom(java.io.BufferedReader r, String text) throws java.io.IOException {
        List<String> seen = new ArrayList<>();
        for (String line = r.readLine(); line == null || !line.contains(text); line = r.readLine()) {
            assertThat(line).as("a line with '" + text + "' before the output ended; seen: " + seen).isNotNull();
            seen.add(line);
        }
    }

    /** The pid a job's program wrote when it started. */
    private static long awaitJobPid(Path pids, String id) {
        Path file = pids.resolve(id);
        TestAgent.awaitTrue("job " + id + " wrote its pid", () -> {
            try {
                return Files.readString(file).endsWith("\n");
            } catch (java.io.IOException e) {
                return false;
            }
        }, java.time.Duration.ofSeconds(30));
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private JsonNode awaitJob(String id, java.util.function.Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        TestAgent.awaitTrue("job " + id + " as expected", () -> condition.test(last[0] = agent.get("/v1/jobs/" + id)), java.time.Duration.ofSeconds(30));
        return last[0];
    }

    private static void awaitGone(long pid) {
        TestAgent.awaitTrue("process " + pid + " gone", () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), java.time.Duration.ofSeconds(30));
    }

    @Test
    void invalidInputExitsWith2AndNamesTheProblem() throws Exception {
        Path bad = spec("bad.yaml", "name: bad\ncommand: [x]\npolicy: sometimes\nextra: 1\n");
        Run r = steward("service", "register", "-f", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("invalid spec").contains("policy: 'sometimes' is not a policy").contains("extra: unknown field");
        assertThat(steward("service", "register", "-f", tmp.resolve("missing.yaml").toString()).err()).contains("is not a file");
        assertThat(steward("service", "query", "nope").code()).isEqualTo(3); // not found
        assertThat(steward("service", "query", "../etc").err()).contains("must not contain");
        assertThat(steward("service", "start", "nope").code()).isEqualTo(3);
        assertThat(steward("service", "modify", "nope", "--set", "instances=2").code()).isEqualTo(3);
        assertThat(steward("service", "logs", "x", "--tail", "-1").code()).isEqualTo(2);
        Path malformed = spec("m.yaml", "name: [\n");
        Run m = steward("apply", "-f", malformed.toString());
        assertThat(m.code()).isEqualTo(2);
        assertThat(m.err()).contains("malformed YAML");
        assertThat(steward("service", "query", "--json").json()).isEmpty();
    }

    @Test
    void appsProfilesAndTheRunlistFromTheCommandLine() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("apps/echo"));
        Files.writeString(app.resolve("manifest.json"), "{\"slave\": \"./bin/worker.py\"}");
        Files.createDirectories(app.resolve("bin"));
        Files.writeString(app.resolve("bin/worker.py"), "print('hi')\n");
        Run up = steward("app", "upload", "echo", app.toString());
        assertThat(up.code()).as(up.err()).isZero();
        assertThat(up.out()).contains("echo: uploaded (worker ./bin/worker.py)");
        assertThat(steward("app", "list").out()).contains("echo", "./bin/worker.py");
        Path profile = spec("p.json", "{\"pool-limit\": 3}");
        assertThat(steward("profile", "upload", "small", profile.toString()).code()).isZero();
        assertThat(steward("profile", "show", "small").json().path("profile").toString()).contains("3");
        assertThat(steward("runlist", "add", "echo", "small").code()).isZero();
        assertThat(steward("runlist", "list").out()).contains("echo", "small");
        Run busy = steward("app", "remove", "echo");
        assertThat(busy.code()).isEqualTo(2);
        assertThat(busy.err()).contains("in the runlist");
        Path badProfile = spec("bad.json", "{\"pool-limit\": -2}");
        Run bad = steward("profile", "upload", "bad", badProfile.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("pool-limit: -2");
        assertThat(steward("app", "upload", "x/y", app.toString()).code()).isEqualTo(2);
        assertThat(steward("app", "upload", "x", tmp.resolve("none").toString()).err()).contains("no such directory or archive");
        Path notArchive = spec("plain.txt", "hello");
        assertThat(steward("app", "upload", "x", notArchive.toString()).err()).contains("not a .tar.gz, .tar or .zip");
        assertThat(steward("runlist", "remove", "echo").code()).isZero();
        assertThat(steward("app", "remove", "echo").code()).isZero();
    }

    @Test
    void functionsAreAddedInvokedShownAndRemovedFromTheCommandLine() throws Exception {
        Path examples = Path.of("..", "examples", "functions");
        Run add = steward("fn", "add", "echo", examples.resolve("echo-python").toString());
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out()).isEqualTo("echo: version 1 added (python main.handle)\n");
        Run echo = steward("fn", "invoke", "echo", "hello there");
        assertThat(echo.code()).as(echo.err()).isZero();
        assertThat(echo.out()).isEqualTo("hello there");
        assertThat(steward("fn", "invoke", "echo", "--data", "@" + spec("data.bin", "from a file")).out()).isEqualTo("from a file");
        assertThat(steward("fn", "invoke", "echo", "x", "--data", "@" + spec("d2.bin", "y")).code()).isEqualTo(2);
        assertThat(steward("fn", "add", "ponger", examples.resolve("ponger").toString()).code()).isZero();
        assertThat(steward("fn", "add", "pinger", examples.resolve("pinger").toString()).code()).isZero();
        assertThat(steward("fn", "invoke", "pinger", "hi").out()).isEqualTo("ping:pong:hi");
        assertThat(steward("fn", "add", "echo", examples.resolve("echo-shell").toString()).out()).isEqualTo("echo: version 2 added (shell handler.sh)\n");
        assertThat(steward("fn", "invoke", "echo", "now in sh").out()).isEqualTo("now in sh");
        assertThat(steward("fn", "ls").out()).contains("NAME", "echo", "shell", "pinger", "ponger");
        Run info = steward("fn", "info", "echo");
        assertThat(info.out()).startsWith("echo: shell handler.sh, version 2").contains("invocations  3, errors 0", "VERSION")
                .containsPattern("starts       cold \\d+, paused \\d+, warm \\d+\n").containsPattern("pool         \\d+ paused generic workers");
        assertThat(steward("fn", "info", "echo", "--json").json().path("versions").size()).isEqualTo(2);
        assertThat(steward("fn", "logs", "echo").code()).isZero();
        Run bad = steward("fn", "add", "bad", spec("bad", "x").getParent().resolve("nothing-here").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(steward("fn", "rm", "echo").out()).isEqualTo("echo: removed\n");
        Run ghost = steward("fn", "invoke", "echo", "x");
        assertThat(ghost.code()).isEqualTo(3);
        assertThat(ghost.err()).contains("no function 'echo'");
        assertThat(steward("fn", "info", "echo").code()).isEqualTo(3);
    }

    @Test
    void anAppIsStartedInvokedAndPausedFromTheCommandLine() throws Exception {
        Path app = Path.of("..", "examples", "apps", "echo-python");
        assertThat(steward("app", "upload", "echo", app.toString()).code()).isZero();
        assertThat(steward("profile", "upload", "std", spec("std.json", "{}").toString()).code()).isZero();
        Run start = steward("app", "start", "echo", "std");
        assertThat(start.code()).as(start.err()).isZero();
        assertThat(start.out()).isEqualTo("echo: the app has been started\n");
        assertThat(steward("app", "list").out()).contains("echo", "running");
        Run echo = steward("app", "invoke", "echo", "echo", "hello there");
        assertThat(echo.code()).as(echo.err()).isZero();
        assertThat(echo.out()).isEqualTo("hello there");
        assertThat(steward("app", "invoke", "echo", "count", "3").out()).isEqualTo("0\n1\n2\n");
        assertThat(steward("app", "invoke", "echo", "greet", "--timeout", "10s").out()).isEqualTo("hello from python, world\n");
        Run logs = steward("app", "logs", "echo");
        assertThat(logs.code()).as(logs.err()).isZero();
        assertThat(logs.out()).containsPattern("(?m)^\\[[0-9a-f-]{36}\\] greeting world$");
        assertThat(steward("app", "logs", "echo", "--worker", "a/b").code()).isEqualTo(2);
        assertThat(steward("app", "logs", "echo", "--worker", "nobody").err()).contains("no log of worker 'nobody'");
        assertThat(steward("app", "logs", "ghost").err()).contains("no app 'ghost'");
        Run unknown = steward("app", "invoke", "echo", "nope");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no handler for event 'nope'");
        assertThat(steward("app", "invoke", "echo", "echo", "--timeout", "soon").err()).contains("timeout: 'soon' is not a duration");
        assertThat(steward("app", "invoke", "echo", "a/b").code()).isEqualTo(2);
        assertThat(steward("app", "invoke", "ghost", "echo").err()).contains("app ghost is not running");
        assertThat(steward("app", "info", "echo", "--json").json().path("state").asText()).isEqualTo("running");
        Run info = steward("app", "info", "echo");
        assertThat(info.out()).startsWith("echo: running").contains("WORKER", "served");
        assertThat(steward("app", "start", "echo", "nosuch").out()).contains("already running");
        assertThat(steward("app", "pause", "echo").out()).isEqualTo("echo: the app has been stopped\n");
        assertThat(steward("app", "pause", "echo").out()).isEqualTo("echo: the app is not running\n");
        Run missing = steward("app", "start", "echo", "nosuch");
        assertThat(missing.code()).isEqualTo(3);
        assertThat(missing.err()).contains("no profile 'nosuch'");
    }

    private static void assumeDynamicServices() {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.steward.agent.dynamic.Dynamics.unavailable() == null,
                "this machine cannot run dynamic services: " + dev.steward.agent.dynamic.Dynamics.unavailable());
    }

    @Test
    void dynamicInstancesAreOpenedListedAndClosedFromTheCommandLine() throws Exception {
        assumeDynamicServices();
        Path f = spec("lab.yaml", """
                name: lab
                parts:
                  web: {command: [python3, -m, http.server, "8080", --bind, 0.0.0.0]}
                entrypoint: web:8080
                paths: {inputs: /in}
                """);
        assertThat(steward("service", "register", "-f", f.toString()).code()).isZero();
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        Files.writeString(inputs.resolve("data.csv"), "a,b\n");
        Run open = steward("service", "open", "lab", "--inputs", inputs.toString());
        assertThat(open.code()).as(open.err()).isZero();
        String uuid = open.out().substring(0, 36);
        int gw = agent.agent().gatewayPort();
        assertThat(open.out()).isEqualTo(uuid + " running\n  http://" + uuid + ".services.localhost:" + gw + "/\n  /x/" + uuid
                + "/  (on the gateway, without wildcard DNS)\n");
        assertThat(agent.dataDir.resolve("dynamic/" + uuid + "/in/data.csv")).hasContent("a,b\n");
        // the steps as they happened, in order, each with its duration (stderr: stdout stays the UUID and URLs)
        List<String> steps = open.err().lines().filter(l -> l.matches("  \\S.* done in \\d+ ms")).map(l -> l.strip().replaceAll(" +done in.*", "")).toList();
        assertThat(steps).containsExactly("create namespace", "restore state", "copy inputs", "start part web", "wait for entrypoint", "route");

        Run query = steward("service", "query", uuid);
        assertThat(query.code()).as(query.err()).isZero();
        assertThat(query.out()).startsWith(uuid + "  lab  running\n").contains("\n  web              running\n");
        assertThat(steward("service", "query", uuid, "--json").json().path("logs").has("web")).isTrue();

        Files.writeString(inputs.resolve("data.csv"), "c,d\n");
        Run push = steward("service", "inputs", "push", uuid, inputs.toString());
        assertThat(push.code()).as(push.err()).isZero();
        assertThat(push.out()).isEqualTo(uuid + ": new inputs\n");
        assertThat(agent.dataDir.resolve("dynamic/" + uuid + "/in/data.csv")).hasContent("c,d\n");
        assertThat(steward("service", "inputs", "push", "not-a-uuid", inputs.toString()).code()).isEqualTo(2);
        Run notADir = steward("service", "inputs", "push", uuid, tmp.resolve("none").toString());
        assertThat(notADir.code()).isEqualTo(2);
        assertThat(notADir.err()).contains("DIR: " + tmp.resolve("none") + " is not a directory");
        JsonNode second = steward("service", "open", "lab", "--json").json();
        assertThat(second.path("url").asText()).isEqualTo("http://" + second.path("uuid").asText() + ".services.localhost:" + gw + "/");
        Run list = steward("service", "instances", "lab");
        assertThat(list.out()).startsWith("UUID").contains(uuid + "  running").contains(second.path("uuid").asText());
        assertThat(steward("service", "instances", "lab", "--json").json()).hasSize(2);
        Run events = steward("service", "events", uuid);
        assertThat(events.code()).as(events.err()).isZero();
        assertThat(events.out()).contains(uuid + "  create namespace done in ").contains(uuid + "  copy inputs done in ")
                .contains(uuid + "  route done in ").contains(uuid + "  running").doesNotContain(second.path("uuid").asText());
        assertThat(steward("service", "close", uuid).out()).isEqualTo(uuid + ": closed\n");
        assertThat(steward("service", "close", uuid).code()).as("closed already: not found").isEqualTo(3);
        assertThat(steward("service", "close", "not-a-uuid").code()).isEqualTo(2);
        assertThat(steward("service", "close", second.path("uuid").asText(), "--no-save").code()).isZero();
        assertThat(steward("service", "instances", "lab", "--json").json()).isEmpty();
        assertThat(steward("service", "open", "lab", "--inputs", tmp.resolve("none").toString()).code()).isEqualTo(2);
    }

    @Test
    void dynamicServiceQueryShowsItsOpenInstancesAndOutputsArePulled() throws Exception {
        assumeDynamicServices();
        Path f = spec("lab.yaml", """
                name: lab
                parts:
                  web: {command: "echo made > out/made.txt && mkdir -p out/sub && echo deeper > out/sub/d.txt && exec python3 -m http.server 8080 --bind 0.0.0.0"}
                entrypoint: web:8080
                paths: {outputs: /out}
                """);
        assertThat(steward("service", "register", "-f", f.toString()).code()).isZero();
        Run none = steward("service", "query", "lab");
        assertThat(none.out()).contains("(no open instance (steward service open lab opens one))").contains("UUID");
        String uuid = steward("service", "open", "lab", "--json").json().path("uuid").asText();
        String url = "http://" + uuid + ".services.localhost:" + agent.agent().gatewayPort() + "/";

        Run query = steward("service", "query", "lab");
        assertThat(query.code()).as(query.err()).isZero();
        assertThat(query.out()).contains("state:      running (1 open instance)").contains(uuid + "  running    admin         " + url)
                .doesNotContain("INSTANCE ");
        String listed = steward("service", "instances", "lab").out();
        assertThat(query.out()).endsWith(listed); // the same table as 'service instances'
        JsonNode q = steward("service", "query", "lab", "--json").json();
        assertThat(q.path("opened")).isEqualTo(steward("service", "instances", "lab", "--json").json());
        assertThat(steward("service", "query").out()).containsPattern("lab .* running .* 1/1 open");

        Path into = tmp.resolve("pulled/here");
        Run pull = steward("service", "outputs", "pull", uuid, into.toString());
        assertThat(pull.code()).as(pull.err()).isZero();
        assertThat(pull.out()).isEqualTo(uuid + ": 2 files pulled to " + into + "\n");
        assertThat(into.resolve("made.txt")).hasContent("made");
        assertThat(into.resolve("sub/d.txt")).hasContent("deeper");
        Files.createSymbolicLink(agent.dataDir.resolve("dynamic/" + uuid + "/out/passwd"), Path.of("/etc/passwd"));
        JsonNode again = steward("service", "outputs", "pull", uuid, into.toString(), "--json").json();
        assertThat(again.path("files").asInt()).isEqualTo(2);
        assertThat(again.path("left-out").asInt()).isEqualTo(1);
        assertThat(into.resolve("passwd")).doesNotExist();

        Run unknown = steward("service", "outputs", "pull", java.util.UUID.randomUUID().toString(), into.toString());
        assertThat(unknown.code()).isEqualTo(3);
        assertThat(unknown.err()).contains("no open instance");
        assertThat(steward("service", "outputs", "pull", "../../etc", into.toString()).code()).isEqualTo(2);
        Run notADir = steward("service", "outputs", "pull", uuid, into.resolve("made.txt").toString());
        assertThat(notADir.code()).isEqualTo(2);
        assertThat(notADir.err()).contains("is not a directory");
        assertThat(steward("service", "close", uuid).code()).isZero();
        assertThat(steward("service", "outputs", "pull", uuid, into.toString()).code()).as("closed: not found").isEqualTo(3);
    }

    @Test
    void aComposeFileIsImportedWithWhatCouldNotBeTranslatedAndRuns() throws Exception {
        assumeDynamicServices();
        Path compose = spec("compose.yaml", """
                name: composed
                services:
                  web:
                    build: .
                    command: python3 -m http.server 8080 --bind 0.0.0.0
                    depends_on: [helper]
                    ports: ["8080"]
                  helper:
                    command: [python3, -m, http.server, "9000", --bind, 127.0.0.1]
                    healthcheck:
                      test: [CMD, python3, -c, "import socket; socket.create_connection(('127.0.0.1', 9000))"]
                      interval: 1s
                    restart: always
                """);
        Path out = tmp.resolve("composed.yaml");
        Run r = steward("service", "import", compose.toString(), "-o", out.toString(), "--register");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("not translated: services.web.build: images are not built here: the part runs its image, which must be on the node or pullable")
                .contains("not translated: services.helper.restart: a part that ends is restarted with back-off by its own restart: settings; Compose's policies are not translated");
        assertThat(Files.readString(out)).startsWith("name: composed\n").contains("entrypoint: web:8080");
        JsonNode opened = steward("service", "open", "composed", "--json").json();
        assertThat(opened.path("state").asText()).as(opened.toString()).isEqualTo("running");
        assertThat(opened.path("parts").path("helper").asText()).isEqualTo("running");
        assertThat(steward("service", "close", opened.path("uuid").asText()).code()).isZero();

        assertThat(steward("service", "import", tmp.resolve("nosuch.yaml").toString()).code()).isEqualTo(2);
        assertThat(steward("service", "import", compose.toString(), "--name", "../up").code()).isEqualTo(2);
        Path noServices = spec("empty-compose.yaml", "version: '3'\n");
        Run empty = steward("service", "import", noServices.toString(), "--name", "x");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("a Compose file has a map of services");
        Path noCommand = spec("image-only.yaml", "services:\n  db: {build: .}\n");
        Path notWritten = tmp.resolve("image-only-spec.yaml");
        Run invalid = steward("service", "import", noCommand.toString(), "--name", "imageonly", "-o", notWritten.toString(), "--register");
        assertThat(invalid.code()).isEqualTo(1);
        assertThat(invalid.err()).contains("invalid: parts.db.command: the command is empty");
        assertThat(notWritten).doesNotExist();
        assertThat(steward("service", "query", "imageonly").code()).as("nothing registered").isEqualTo(3);

        // not Compose: an unknown field, a field of the wrong type, malformed YAML: a usage error naming it, nothing written or registered
        java.util.Map<String, String> bad = java.util.Map.of(
                "services:\n  web: {image: busybox, comand: [httpd], ports: [\"80\"]}\n", "services.web.comand: not a Compose field (did you mean command?)",
                "services:\n  web: {image: busybox, ports: 80}\n", "services.web.ports: expected a list, got the number 80",
                "services:\n  web: {image: busybox\n", "malformed YAML at line");
        for (var b : bad.entrySet()) {
            Path file = spec("bad-compose.yaml", b.getKey());
            Run refused = steward("service", "import", file.toString(), "--name", "badcompose", "-o", notWritten.toString(), "--register");
            assertThat(refused.code()).as(refused.err()).isEqualTo(2);
            assertThat(refused.err()).contains(b.getValue());
            assertThat(refused.out()).as("no spec printed").isEmpty();
            assertThat(notWritten).doesNotExist();
            assertThat(steward("service", "query", "badcompose").code()).as("nothing registered").isEqualTo(3);
        }
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(steward("service").code()).isEqualTo(2);
        assertThat(steward("service", "register", "--addr", agent.base).code()).isEqualTo(2);
        assertThat(steward("service", "frobnicate", "--addr", agent.base).code()).isEqualTo(2);
        assertThat(steward("agent", "--api", "nonsense").code()).isEqualTo(2);
        assertThat(steward("--version").code()).isZero();
    }

    @Test
    void anUnreachableAgentIsAFailureThatSaysSo() {
        Run r = steward("service", "query", "--addr", "http://127.0.0.1:1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach the agent at http://127.0.0.1:1");
        assertThat(steward("service", "query", "--addr", "not a url").code()).isEqualTo(2);
    }

    @Test
    void tokensAreMadeListedUsedKeptByLoginAndRevoked() throws Exception {
        Run made = steward("token", "create", "alice", "--ttl", "30d");
        assertThat(made.code()).as(made.err()).isZero();
        String alice = made.out().strip();
        assertThat(alice).startsWith("stw_");
        assertThat(made.err()).contains("token alice (user, expires ").contains("shown this once");
        assertThat(steward("token", "create", "rita", "--read-only", "--admin").code()).as("one role").isEqualTo(2);
        assertThat(steward("token", "list").out()).contains("alice").contains("user").contains("admin").doesNotContain(alice);
        assertThat(steward("whoami", "--token", alice).out()).isEqualTo("alice (user)\n");
        Path f = spec("a.yaml", "name: a\ncommand: [sleep, \"600\"]\nping: none\nuser: nobody\n"); // this agent runs programs as root by default
        assertThat(steward("service", "register", "-f", f.toString(), "--token", alice).code()).isZero();
        assertThat(steward("service", "query", "a", "--json").json().path("owner").asText()).isEqualTo("alice");
        Run forbidden = steward("token", "create", "eve", "--admin", "--token", alice);
        assertThat(forbidden.code()).isEqualTo(1);
        assertThat(forbidden.err()).contains("needs an admin token");
        assertThat(steward("audit").out()).contains("alice").contains("POST /v1/services ").contains("denied");
        assertThat(steward("audit", "--json", "--since", "1h").json().size()).isGreaterThan(2);

        // login keeps the token (0600) and later commands use it
        String home = System.getProperty("user.home");
        System.setProperty("user.home", tmp.toString());
        try {
            Run login = steward("login", "--token", alice);
            assertThat(login.code()).as(login.err()).isZero();
            assertThat(login.out()).contains("logged in as alice (user)");
            Path kept = tmp.resolve(".config/steward/token");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(kept))).isEqualTo("rw-------");
            assertThat(steward("whoami", "--no-token").out()).isEqualTo("alice (user)\n");
            assertThat(steward("logout").out()).isEqualTo("logged out\n");
            assertThat(steward("login", "--token", "stw_wrong").code()).isEqualTo(1);
            assertThat(kept).doesNotExist();
        } finally {
            System.setProperty("user.home", home);
        }
        assertThat(steward("token", "revoke", "alice").out()).isEqualTo("alice: revoked\n");
        Run gone = steward("service", "query", "--token", alice);
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).contains("the token is not valid");
    }

    @Test
    void anHttpsAgentIsReachedWithItsCertificateGivenByCaCertAndNotWithout() throws Exception {
        SelfSigned.Made made = SelfSigned.ensure(tmp.resolve("tls-data/tls"), List.of(new InetSocketAddress("127.0.0.1", 0)), Clock.systemUTC());
        try (TestAgent tls = TestAgent.startTls(tmp.resolve("tls-data"), made.pair())) {
            Run ok = steward("status", "--addr", tls.base, "--token", tls.token, "--ca-cert", made.cert().toString());
            assertThat(ok.code()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("api " + tls.base);
            Run untrusted = steward("status", "--addr", tls.base, "--token", tls.token);
            assertThat(untrusted.code()).isEqualTo(1);
            assertThat(untrusted.err()).contains("over TLS").contains("--ca-cert FILE or STEWARD_CA_CERT");
            Run missing = steward("status", "--addr", tls.base, "--token", tls.token, "--ca-cert", tmp.resolve("none.pem").toString());
            assertThat(missing.code()).isEqualTo(2);
            assertThat(missing.err()).contains("--ca-cert (env STEWARD_CA_CERT): " + tmp.resolve("none.pem") + ": no such file");
            Run plain = steward("status", "--addr", tls.base.replace("https://", "http://"), "--token", tls.token);
            assertThat(plain.code()).isEqualTo(1);
            assertThat(plain.err()).contains("if the agent serves HTTPS, use --addr " + tls.base);
        }
    }

    @Test
    void theCliTrustsTheSelfSignedCertificateInALocalAgentsDataDirOnlyWhenOthersCannotChangeIt() throws Exception {
        Path data = tmp.resolve("tls-data");
        SelfSigned.Made made = SelfSigned.ensure(data.resolve("tls"), List.of(new InetSocketAddress("127.0.0.1", 0)), Clock.systemUTC());
        try (TestAgent tls = TestAgent.startTls(data, made.pair())) {
            java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(tls.base + "/v1/agent"))
                    .header("Authorization", "Bearer " + tls.token).build();
            var found = java.net.http.HttpClient.newBuilder().sslContext(Trust.context(null, "127.0.0.1", List.of(data))).build();
            assertThat(found.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            Files.setPosixFilePermissions(data.resolve("tls"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            var refused = java.net.http.HttpClient.newBuilder().sslContext(Trust.context(null, "127.0.0.1", List.of(data))).build();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> refused.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
    }

    @Test
    void globalOptionsGoBeforeOrAfterTheCommandAndTyposGetSuggestions() throws Exception {
        Path f = spec("g.yaml", "name: g\ncommand: [/bin/sh, -c, 'exec sleep 600']\nping: {exec: [\"true\"]}\n");
        assertThat(steward("apply", "-f", f.toString()).code()).isZero();
        // the helper above adds --addr and --token after the command; here they come first
        Run before = steward("--json", "--addr", agent.base, "--token", agent.token, "service", "query", "g");
        assertThat(before.code()).as(before.err()).isZero();
        assertThat(before.json().path("name").asText()).isEqualTo("g");
        Run typo = steward("servce", "query");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("Did you mean").contains("service").contains("Run 'steward --help' for usage.");
        Run sub = steward("service", "qeury", "g");
        assertThat(sub.code()).isEqualTo(2);
        assertThat(sub.err()).contains("Did you mean").contains("query");
        // a program's own arguments after -- are left alone
        assertThat(Main.globalsAfterTheCommand(new String[] {"--json", "job", "run", "x", "--", "echo", "--json"}))
                .containsExactly("job", "run", "x", "--json", "--", "echo", "--json");
    }

    @Test
    void versionShowsTheClientsAndTheAgentsBuild() {
        Run v = steward("version");
        assertThat(v.code()).as(v.err()).isZero();
        assertThat(v.out()).startsWith("client: " + dev.steward.model.Version.CURRENT).contains("agent:  " + dev.steward.model.Version.CURRENT);
        assertThat(dev.steward.model.Version.CURRENT).matches("\\d+\\.\\d+\\.\\d+.*"); // from the build, not a placeholder
        JsonNode j = steward("version", "--json").json();
        assertThat(j.path("client").path("version").asText()).isEqualTo(dev.steward.model.Version.CURRENT);
        assertThat(j.path("agent").path("version").asText()).isEqualTo(dev.steward.model.Version.CURRENT);
        Run gone = steward("version", "--addr", "http://127.0.0.1:1");
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.out()).startsWith("client: ");
        assertThat(gone.err()).contains("cannot reach the agent");
    }

    @Test
    void completionScriptsForBashAndZsh() throws Exception {
        Run bash = steward("completion", "bash");
        assertThat(bash.code()).isZero();
        assertThat(bash.out()).contains("complete -F").contains("service").contains("unregister");
        Path script = Files.writeString(tmp.resolve("steward.bash"), bash.out());
        Process p = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero(); // bash can read it
        assertThat(steward("completion", "zsh").out()).contains("bashcompinit");
        assertThat(steward("completion", "fish").code()).isEqualTo(2);
    }

    @Test
    void releasingWithNoReferenceSucceedsAndLogsAndInfoSpeakJson() throws Exception {
        Path f = spec("od.yaml", "name: od\npolicy: on-demand\ncommand: [/bin/sh, -c, 'echo line-one; echo line-two; exec sleep 600']\nping: {exec: [\"true\"]}\n");
        assertThat(steward("apply", "-f", f.toString()).code()).isZero();
        Run r = steward("service", "release", "od");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("od: no reference to release, nothing done");
        assertThat(steward("service", "use", "od").code()).isZero();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!steward("service", "logs", "od").out().contains("line-two")) {
            assertThat(System.nanoTime()).as("od's log has line-two within 30 s").isLessThan(deadline);
            TestAgent.sleep(50);
        }
        Run logs = steward("service", "logs", "od", "--json");
        assertThat(logs.code()).isZero();
        List<String> lines = logs.out().lines().toList();
        assertThat(lines).isNotEmpty();
        assertThat(lines.stream().map(l -> Json.tree(l).path("line").asText()).toList()).contains("line-one", "line-two");
        assertThat(steward("service", "release", "od").out()).contains("0 reference(s) left");
        assertThat(steward("app", "info", "nosuch").code()).isEqualTo(3);
    }

    @Test
    void logsOfSeveralInstancesAreMergedByTimeWithTailSinceAndTimestamps() throws Exception {
        Path f = spec("ml.yaml", "name: ml\ninstances: 2\nping: {exec: [\"true\"]}\n"
                + "command: [/bin/sh, -c, 'for i in 1 2 3; do echo \"$STEWARD_INSTANCE line $i\"; sleep 0.2; done; exec sleep 600']\n");
        assertThat(steward("apply", "-f", f.toString()).code()).isZero();
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<JsonNode> lines;
        while ((lines = steward("service", "logs", "ml", "--json").out().lines().map(Json::tree).toList()).size() < 6) {
            assertThat(System.nanoTime()).as("six lines within 30 s: " + lines).isLessThan(deadline);
            TestAgent.sleep(50);
        }
        assertThat(lines).hasSize(6).allMatch(l -> l.has("time") && l.has("instance") && l.path("line").asText().startsWith(l.path("instance").asText() + " line "));
        List<String> times = lines.stream().map(l -> l.path("time").asText()).toList();
        assertThat(times).isSorted();
        assertThat(lines.stream().map(l -> l.path("instance").asText()).distinct()).hasSize(2);
        // each instance's own lines stay in their order
        for (String id : lines.stream().map(l -> l.path("instance").asText()).distinct().toList()) {
            assertThat(lines.stream().filter(l -> l.path("instance").asText().equals(id)).map(l -> l.path("line").asText()))
                    .containsExactly(id + " line 1", id + " line 2", id + " line 3");
        }
        Run stamped = steward("logs", "ml", "--timestamps");
        assertThat(stamped.code()).as(stamped.err()).isZero();
        assertThat(stamped.out().lines().toList()).hasSize(6).isSorted()
                .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z \\[[a-z0-9-]+\\] .+ line \\d"));
        assertThat(steward("service", "logs", "ml").out().lines()).hasSize(6).allMatch(l -> l.startsWith("[")); // no time unless asked
        Run tail = steward("service", "logs", "ml", "--tail", "2", "--json");
        assertThat(tail.out().lines().map(l -> Json.tree(l).path("time").asText()).toList()).containsExactlyElementsOf(times.subList(4, 6));
        assertThat(steward("service", "logs", "ml", "--since", "1h").out().lines()).hasSize(6);
        assertThat(steward("service", "logs", "ml", "--since", times.get(3), "--json").out().lines()
                .map(l -> Json.tree(l).path("time").asText()).toList())
                .containsExactlyElementsOf(times.stream().filter(t -> t.compareTo(times.get(3)) >= 0).toList());
        assertThat(steward("service", "logs", "ml", "--since", "2999-01-01T00:00:00Z").out()).isEmpty();
        Run bad = steward("service", "logs", "ml", "--since", "soon");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("since: 'soon' is neither a duration (like 1h) nor a time");
        assertThat(steward("logs", "nope").code()).isEqualTo(3);
    }

    @Test
    void cocaine011AppsRunUnchangedGetTheLocatorAndOutliveAnUnknownFrame() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("apps/old"));
        Files.writeString(app.resolve("manifest.json"), "{\"slave\": \"./worker.py\", \"drivers\": {\"tick\": {\"type\": \"time\"}}, \"local\": true}");
        Files.writeString(app.resolve("worker.py"), """
                #!/usr/bin/python3
                import sys
                from steward_worker import Worker
                print("argv:", " ".join(sys.argv[1:]), file=sys.stderr, flush=True)
                w = Worker()
                @w.on("echo")
                def echo(request, response):
                    response.write(request.read_all())
                @w.on("odd")
                def odd(request, response):
                    w._link.send(42, 0, ["from a newer library"])  # a message the protocol does not have
                    response.write("still here")
                w.run()
                """);
        Run up = steward("app", "upload", "old", app.toString());
        assertThat(up.code()).as(up.err()).isZero();
        assertThat(up.err()).contains("steward: warning: drivers: accepted, not used").contains("steward: warning: local: accepted, not used");
        Run prof = steward("profile", "upload", "old", spec("old.json", "{\"pool-limit\": 1, \"crashlog-limit\": 50, \"log-output\": true}").toString());
        assertThat(prof.code()).as(prof.err()).isZero();
        assertThat(prof.err()).contains("warning: crashlog-limit: accepted, not used").contains("warning: log-output: accepted, not used");
        assertThat(steward("app", "start", "old", "old").code()).isZero();
        assertThat(steward("app", "invoke", "old", "echo", "hi").out()).isEqualTo("hi");
        JsonNode before = steward("app", "info", "old", "--json").json();
        assertThat(steward("app", "invoke", "old", "odd").out()).isEqualTo("still here");
        assertThat(steward("app", "invoke", "old", "echo", "again").out()).isEqualTo("again");
        JsonNode after = steward("app", "info", "old", "--json").json();
        assertThat(after.path("crashes").asInt()).isZero();
        assertThat(after.path("workers").findValuesAsText("id")).isEqualTo(before.path("workers").findValuesAsText("id")); // the same worker
        String locator = "--locator 127.0.0.1:" + agent.agent().rpcPort();
        assertThat(steward("app", "logs", "old").out()).contains("argv: --app old --endpoint ").contains(locator);
        // a worker that refuses --locator (cocaine-framework-java's) is spared it by the manifest
        assertThat(steward("app", "pause", "old").code()).isZero();
        Files.writeString(app.resolve("manifest.json"), "{\"slave\": \"./worker.py\", \"locator-arg\": false}");
        Run again = steward("app", "upload", "old", app.toString());
        assertThat(again.err()).doesNotContain("warning");
        assertThat(steward("app", "info", "old", "--json").json().path("app").path("locator-arg").asBoolean(true)).isFalse();
        assertThat(steward("app", "start", "old", "old").code()).isZero();
        assertThat(steward("app", "invoke", "old", "echo", "plain").out()).isEqualTo("plain");
        List<String> argv = steward("app", "logs", "old").out().lines().filter(l -> l.contains("argv:")).toList();
        assertThat(argv).anyMatch(l -> !l.contains("--locator"));
        Path bad = Files.createDirectories(tmp.resolve("apps/bad"));
        Files.writeString(bad.resolve("manifest.json"), "{\"slave\": \"./worker.py\", \"locator-arg\": \"no\"}");
        Files.copy(app.resolve("worker.py"), bad.resolve("worker.py"));
        Run refused = steward("app", "upload", "bad", bad.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("locator-arg");
    }

    @Test
    void eventsListsWhatHappenedToAService() throws Exception {
        Path f = spec("ev.yaml", "name: ev\ncommand: [/bin/sh, -c, 'exec sleep 600']\nping: {exec: [\"true\"]}\n");
        assertThat(steward("apply", "-f", f.toString()).code()).isZero();
        Run r = steward("events", "--service", "ev");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("  ev  spec registered").contains("  ev  available");
        Run j = steward("events", "--service", "ev", "--json");
        List<String> types = j.out().lines().map(l -> Json.tree(l).path("type").asText()).toList();
        assertThat(types).contains("spec", "instance", "service").doesNotContain("");
        assertThat(steward("events", "--service", "a/b").code()).isEqualTo(2);
        Run show = steward("service", "show", "ev");
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains("INSTANCE").contains("Events (the last 20):").contains("ev  spec registered");
        assertThat(steward("service", "show", "ev", "--json").json().path("events").size()).isBetween(3, 20);
        assertThat(steward("service", "show", "nope").code()).isEqualTo(3);
    }

    @Test
    void queryWatchShowsTheServiceAgainAfterEachChange() throws Exception {
        Path f = spec("w.yaml", "name: w\ncommand: [/bin/sh, -c, 'exec sleep 600']\nping: {exec: [\"true\"]}\n");
        assertThat(steward("apply", "-f", f.toString()).code()).isZero();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            // it watches until its connection ends (the agent stops after the test); changes are made through the API
            Thread.ofVirtual().start(() -> Main.run("service", "query", "w", "--watch", "--json", "--addr", agent.base, "--token", agent.token));
            awaitViews(out, v -> v.path("state").asText().equals("available"));
            agent.ok("POST", "/v1/services/w/stop", null);
            awaitViews(out, v -> v.path("state").asText().equals("stopped"));
        } finally {
            System.setOut(old);
        }
    }

    private static void awaitViews(ByteArrayOutputStream out, java.util.function.Predicate<JsonNode> seen) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (complete(out).lines().map(Json::tree).noneMatch(seen)) {
            assertThat(System.nanoTime()).as("a view seen within 30 s: " + out.toString(StandardCharsets.UTF_8)).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** What was printed up to the last whole line (another thread may be in the middle of one). */
    private static String complete(ByteArrayOutputStream out) {
        String text = out.toString(StandardCharsets.UTF_8);
        return text.substring(0, text.lastIndexOf('\n') + 1);
    }
}
