package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.protocol.Client;
import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import dev.steward.protocol.RpcException;
import dev.steward.protocol.WorkerMessage;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/** Apps run by the engine, reached through the locator and their own services over TCP, with Python workers. */
class AppEngineTest extends AgentTestBase {
    Client client() throws Exception {
        return Client.connect("127.0.0.1", agent.agent().rpcPort(), Duration.ofSeconds(20));
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static Value field(Value info, String key) {
        return info.asMapValue().map().entrySet().stream().filter(e -> e.getKey().asRawValue().asString().equals(key))
                .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + info));
    }

    /** Sessions open on workers now. */
    static int pending(Value info) {
        return field(field(info, "sessions"), "pending").asIntegerValue().toInt();
    }

    /** Events waiting for a worker. */
    static int queued(Value info) {
        return field(field(info, "queue"), "depth").asIntegerValue().toInt();
    }

    static int workers(Value info) {
        return field(info, "workers").asArrayValue().size();
    }

    static Value awaitInfo(Client.App app, Predicate<Value> condition, Duration within) throws Exception {
        long end = System.nanoTime() + within.toNanos();
        Value last = null;
        while (System.nanoTime() < end) {
            last = app.info();
            if (condition.test(last)) return last;
            Thread.sleep(50);
        }
        throw new AssertionError("timed out; info: " + last);
    }

    @Test
    void anEchoAppAnswersThroughTheLocatorAndTheNodeServiceListsIt() throws Exception {
        TestApps.run(agent, "echo", "{}", Map.of());
        try (Client c = client()) {
            assertThat(c.list()).containsExactly("echo");
            Client.App app = c.app("echo");
            assertThat(text(app.enqueue("echo", "hello".getBytes()).readAll())).isEqualTo("hello");
            byte[] big = new byte[3 << 20];
            new java.util.Random(1).nextBytes(big);
            assertThat(app.enqueue("echo", big).readAll()).isEqualTo(big);
            Value info = app.info();
            assertThat(field(info, "state").asRawValue().asString()).isEqualTo("running");
            assertThat(field(field(info, "queue"), "capacity").asIntegerValue().toInt()).isEqualTo(100);
            assertThat(field(field(info, "slaves"), "capacity").asIntegerValue().toInt()).isEqualTo(10);
            assertThat(field(info, "profile").asRawValue().asString()).isEqualTo("echo");
            assertThatThrownBy(() -> app.enqueue("nope", new byte[0]).readAll()).isInstanceOf(RpcException.class)
                    .hasMessageContaining("no handler for event 'nope'");
            assertThatThrownBy(() -> app.enqueue("fail", new byte[0]).readAll()).isInstanceOf(RpcException.class)
                    .hasMessage("ValueError: bad input");
            // the node service's answers, in words
            assertThat(c.startApp(Map.of("echo", "echo"))).containsEntry("echo", "the app is already running");
            assertThat(c.startApp(Map.of("ghost", "echo")).get("ghost")).isEqualTo("no app 'ghost'");
            assertThat(c.pauseApp(List.of("echo", "ghost"))).containsEntry("echo", "the app has been stopped")
                    .containsEntry("ghost", "the app is not running");
            assertThat(c.list()).isEmpty();
        }
    }

    @Test
    void aStreamingReplyComesInOrderChunkByChunk() throws Exception {
        TestApps.run(agent, "streamer", "{}", Map.of());
        try (Client c = client()) {
            Client.Stream s = c.app("streamer").enqueue("stream", "1000".getBytes());
            int n = 0;
            for (byte[] b; (b = s.next()) != null; n++) assertThat(text(b)).isEqualTo(n + "\n");
            assertThat(n).isEqualTo(1000);
        }
    }

    @Test
    void aFullQueueIsRefusedAtOnceAndWhatWasQueuedStillCompletes() throws Exception {
        TestApps.run(agent, "slow", "{\"queue-limit\": 2, \"pool-limit\": 1, \"concurrency\": 1}", Map.of());
        try (Client c = client()) {
            Client.App app = c.app("slow");
            Client.Stream first = app.enqueue("slow", "1".getBytes());
            awaitInfo(app, i -> pending(i) == 1, Duration.ofSeconds(10));
            Client.Stream second = app.enqueue("slow", "0".getBytes());
            Client.Stream third = app.enqueue("slow", "0".getBytes());
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> app.enqueue("slow", "0".getBytes()).readAll()).isInstanceOf(RpcException.class)
                    .hasMessage("the queue is full").extracting(e -> ((RpcException) e).code()).isEqualTo(2);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(800));
            for (Client.Stream s : List.of(first, second, third)) assertThat(text(s.readAll())).isEqualTo("done");
        }
    }

    @Test
    void anEventWhoseClientLeftWhileItWaitedNeverRunsNorHoldsItsPlaceInTheQueue() throws Exception {
        TestApps.run(agent, "leaving", "{\"queue-limit\": 1, \"pool-limit\": 1, \"concurrency\": 1}", Map.of());
        try (Client c = client()) {
            Client.App app = c.app("leaving");
            Client.Stream busy = app.enqueue("slow", "2.5".getBytes());
            awaitInfo(app, i -> pending(i) == 1, Duration.ofSeconds(10));
            try (Client gone = client()) {
                gone.app("leaving").enqueue("echo", "never".getBytes());
                awaitInfo(app, i -> queued(i) == 1, Duration.ofSeconds(5));
            }
            // the queue's place was the leaver's: it is given back within a sweep of the queue
            awaitInfo(app, i -> queued(i) == 0 && field(i, "abandoned").asIntegerValue().toInt() == 1, Duration.ofSeconds(5));
            Client.Stream next = app.enqueue("echo", "next".getBytes());
            assertThat(text(busy.readAll())).isEqualTo("done");
            assertThat(text(next.readAll())).isEqualTo("next");
            Value info = app.info();
            assertThat(field(info, "abandoned").asIntegerValue().toInt()).isEqualTo(1);
            assertThat(field(info, "served").asIntegerValue().toInt()).as("the leaver's event never reached the worker").isEqualTo(2);
        }
    }

    @Test
    void aWorkerThatStopsSendingHeartbeatsIsKilledAndItsSessionsFail() throws Exception {
        TestApps.run(agent, "mute", "{\"heartbeat-timeout\": 1, \"pool-limit\": 1}", Map.of("NO_HEARTBEAT", "1"));
        try (Client c = client()) {
            Client.App app = c.app("mute");
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> app.enqueue("slow", "30".getBytes()).readAll()).isInstanceOf(RpcException.class)
                    .hasMessageContaining("sent no heartbeat for 1s").extracting(e -> ((RpcException) e).code()).isEqualTo(2);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            Value info = awaitInfo(app, i -> workers(i) == 0, Duration.ofSeconds(5));
            assertThat(field(info, "state").asRawValue().asString()).isEqualTo("running");
        }
    }

    @Test
    void aWorkerThatCrashesMidSessionFailsItsSessionAndThePoolRecoversAfterBackOff() throws Exception {
        TestApps.run(agent, "crashy", "{\"pool-limit\": 1}", Map.of());
        try (Client c = client()) {
            Client.App app = c.app("crashy");
            assertThat(text(app.enqueue("echo", "before".getBytes()).readAll())).isEqualTo("before");
            Client.Stream s = app.enqueue("crash", new byte[0]);
            assertThat(text(s.next())).isEqualTo("going");
            assertThatThrownBy(s::next).isInstanceOf(RpcException.class).extracting(e -> ((RpcException) e).code()).isEqualTo(2);
            long t0 = System.nanoTime();
            assertThat(text(app.enqueue("echo", "after".getBytes()).readAll())).isEqualTo("after");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("spawning waits out the back-off").isGreaterThan(Duration.ofMillis(600));
            Value info = app.info();
            assertThat(field(info, "crashes").asIntegerValue().toInt()).isEqualTo(1);
            Value crash = field(info, "last-crash");
            assertThat(field(crash, "status").asRawValue().asString()).contains("3");
            assertThat(field(crash, "lines").toString()).contains("crashing on purpose", "starting");
        }
        // and `app info` over HTTP shows the same last lines
        assertThat(agent.get("/v1/apps/crashy").path("last-crash").path("lines").toString()).contains("crashing on purpose");
        // the crashed worker's log is kept beside its successor's, each line after its worker's id
        String logs = agent.call("GET", "/v1/apps/crashy/logs", null).body();
        assertThat(logs).containsPattern("(?m)^\\[[0-9a-f-]{36}\\] crashing on purpose$");
        assertThat(logs.lines().filter(l -> l.endsWith(" starting")).count()).isEqualTo(2);
        String worker = logs.lines().filter(l -> l.endsWith("crashing on purpose")).findFirst().orElseThrow().substring(1, 37);
        assertThat(agent.call("GET", "/v1/apps/crashy/logs?worker=" + worker + "&tail=1", null).body()).isEqualTo("crashing on purpose\n");
        assertThat(agent.call("GET", "/v1/apps/crashy/logs?worker=nobody", null).status()).isEqualTo(404);
        assertThat(agent.call("GET", "/v1/apps/crashy/logs?worker=..%2Fx", null).status()).isEqualTo(400);
    }

    @Test
    void aWorkerThatHangsUpBeforeItExitsAlsoHoldsSpawningForTheBackOff() throws Exception {
        TestApps.run(agent, "hangup", "{\"pool-limit\": 1}", Map.of());
        try (Client c = client()) {
            Client.App app = c.app("hangup");
            Client.Stream s = app.enqueue("hangup", new byte[0]);
            assertThat(text(s.next())).isEqualTo("going");
            assertThatThrownBy(s::next).isInstanceOf(RpcException.class).extracting(e -> ((RpcException) e).code()).isEqualTo(2);
            long t0 = System.nanoTime();
            assertThat(text(app.enqueue("echo", "after".getBytes()).readAll())).isEqualTo("after");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("spawning waits out the back-off").isGreaterThan(Duration.ofMillis(600));
            Value info = awaitInfo(app, i -> field(i, "crashes").asIntegerValue().toInt() == 1 && workers(i) == 1, Duration.ofSeconds(5));
            assertThat(field(info, "state").asRawValue().asString()).isEqualTo("running");
        }
    }

    @Test
    void aWorkerThatCannotStartFailsWaitingEventsWithItsLastLine() throws Exception {
        TestApps.run(agent, "nostart", "{}", Map.of("STARTUP_FAIL", "1"));
        try (Client c = client()) {
            assertThatThrownBy(() -> c.app("nostart").enqueue("echo", new byte[0]).readAll()).isInstanceOf(RpcException.class)
                    .hasMessageContaining("no worker could start").hasMessageContaining("cannot find my config");
        }
    }

    @Test
    void thePoolGrowsUnderLoadToItsLimitAndShrinksWhenIdle() throws Exception {
        TestApps.run(agent, "pool", "{\"pool-limit\": 3, \"concurrency\": 1, \"grow-threshold\": 1, \"idle-timeout\": 1}", Map.of());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try (Client c = client()) {
            Client.App app = c.app("pool");
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Callable<String> call = () -> text(app.enqueue("slow", "0.5".getBytes()).readAll());
                replies.add(pool.submit(call));
            }
            awaitInfo(app, i -> workers(i) == 3, Duration.ofSeconds(10));
            for (Future<String> f : replies) assertThat(f.get()).isEqualTo("done");
            Value grown = app.info();
            assertThat(workers(grown)).isEqualTo(3);
            awaitInfo(app, i -> workers(i) == 0, Duration.ofSeconds(6));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTaggedEventGoesToTheWorkerOfThatId() throws Exception {
        TestApps.run(agent, "tags", "{}", Map.of());
        try (Client c = client()) {
            Client.App app = c.app("tags");
            for (int i = 0; i < 3; i++) {
                assertThat(text(app.enqueue("whoami", new byte[0], "worker-a", Duration.ZERO).readAll())).isEqualTo("worker-a");
                assertThat(text(app.enqueue("whoami", new byte[0], "worker-b", Duration.ZERO).readAll())).isEqualTo("worker-b");
            }
            assertThat(workers(app.info())).isEqualTo(2);
        }
    }

    @Test
    void anEventPastItsTimeoutInTheQueueGetsADeadlineError() throws Exception {
        TestApps.run(agent, "late", "{\"pool-limit\": 1, \"concurrency\": 1}", Map.of());
        try (Client c = client()) {
            Client.App app = c.app("late");
            Client.Stream busy = app.enqueue("slow", "1.5".getBytes());
            awaitInfo(app, i -> pending(i) == 1, Duration.ofSeconds(10));
            assertThatThrownBy(() -> app.enqueue("echo", "x".getBytes(), "", Duration.ofMillis(300)).readAll()).isInstanceOf(RpcException.class)
                    .hasMessage("the session has expired in the queue").extracting(e -> ((RpcException) e).code()).isEqualTo(4);
            assertThatThrownBy(() -> app.enqueue("slow", "5".getBytes(), "", Duration.ofMillis(2500)).readAll()).isInstanceOf(RpcException.class)
                    .hasMessageContaining("timed out").extracting(e -> ((RpcException) e).code()).isEqualTo(3);
            assertThat(text(busy.readAll())).isEqualTo("done");
        }
    }

    @Test
    void aWorkerThatTerminatesAbnormallyBreaksTheAppUntilItIsStartedAgain() throws Exception {
        TestApps.run(agent, "fragile", "{}", Map.of());
        try (Client c = client()) {
            Client.App app = c.app("fragile");
            assertThatThrownBy(() -> app.enqueue("break", new byte[0]).readAll()).isInstanceOf(RpcException.class);
            awaitInfo(app, i -> field(i, "state").asRawValue().asString().equals("broken"), Duration.ofSeconds(5));
            assertThatThrownBy(() -> app.enqueue("echo", new byte[0]).readAll()).isInstanceOf(RpcException.class)
                    .hasMessageContaining("the app is broken").hasMessageContaining("my database is gone");
            assertThat(c.pauseApp(List.of("fragile"))).containsEntry("fragile", "the app has been stopped");
            assertThat(c.startApp(Map.of("fragile", "fragile"))).containsEntry("fragile", "the app has been started");
            assertThat(text(c.app("fragile").enqueue("echo", "ok".getBytes()).readAll())).isEqualTo("ok");
        }
    }

    @Test
    void workersRunInTheIsolateTheProfileNames() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(agent.get("/v1/agent").path("isolates").path("available").toString().contains("sandbox"),
                "this host cannot make sandboxes: " + agent.get("/v1/agent").path("isolates").path("unavailable"));
        TestApps.run(agent, "boxed", "{\"isolate\": {\"type\": \"sandbox\", \"args\": {\"network\": \"none\"}}}", Map.of());
        try (Client c = client()) {
            Client.App app = c.app("boxed");
            int pid = Integer.parseInt(text(app.enqueue("pid", new byte[0]).readAll()));
            assertThat(pid).as("a pid of the sandbox's own pid namespace").isLessThan(10);
            assertThat(text(app.enqueue("echo", "from the box".getBytes()).readAll())).isEqualTo("from the box");
        }
    }

    @Test
    void aWorkerThatNeverConnectsIsKilledAtTheStartupTimeout() throws Exception {
        TestApps.run(agent, "silent", "{\"startup-timeout\": 1}", Map.of("NEVER_CONNECT", "1"));
        try (Client c = client()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.app("silent").enqueue("echo", new byte[0]).readAll()).isInstanceOf(RpcException.class)
                    .hasMessageContaining("no heartbeat within the startup timeout of 1s");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        }
    }

    @Test
    void pausingGivesBusyWorkersTheTerminationTimeoutThenKillsThem() throws Exception {
        TestApps.run(agent, "busy", "{\"termination-timeout\": 1}", Map.of());
        TestApps.upload(agent, "other", Map.of());
        TestApps.profile(agent, "other", "{}");
        try (Client c = client()) {
            Client.App app = c.app("busy");
            Client.Stream done = app.enqueue("slow", "0.3".getBytes());
            Client.Stream stuck = app.enqueue("slow", "60".getBytes());
            Value info = awaitInfo(app, i -> pending(i) == 2, Duration.ofSeconds(10));
            long pid = field(info, "workers").asArrayValue().get(0).asMapValue().map().entrySet().stream()
                    .filter(e -> e.getKey().asRawValue().asString().equals("pid")).findFirst().orElseThrow().getValue().asIntegerValue().toLong();
            long t0 = System.nanoTime();
            Thread pause = Thread.ofVirtual().start(() -> agent.ok("DELETE", "/v1/running/busy", null));
            awaitInfo(app, i -> field(i, "state").asRawValue().asString().equals("stopping"), Duration.ofSeconds(5));
            // while it stops, other apps start, and this one cannot start again
            assertThat(agent.ok("POST", "/v1/running/other", "other").path("result").asText()).isEqualTo("the app has been started");
            assertThat(field(app.info(), "state").asRawValue().asString()).as("started while this one still stops").isEqualTo("stopping");
            assertThat(agent.call("POST", "/v1/running/busy", "busy").status()).isEqualTo(409);
            assertThat(text(done.readAll())).as("a session that ends within the timeout completes").isEqualTo("done");
            assertThatThrownBy(stuck::readAll).isInstanceOf(RpcException.class);
            pause.join();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the worker was killed").isFalse();
        }
    }

    @Test
    @Timeout(60)
    void aWorkerThatSendsABrokenFrameIsToldWhatIsWrongAndLetGo() throws Exception {
        // the agent spawns worker "fake" for the tagged event; its process never connects, so this test says it is "fake"
        TestApps.run(agent, "impostor", "{\"startup-timeout\": 60}", Map.of("NEVER_CONNECT", "1"));
        try (Client c = client();
             SocketChannel worker = SocketChannel.open(UnixDomainSocketAddress.of(tmp.resolve("data/run/apps/impostor.sock")))) {
            Client.App app = c.app("impostor");
            Client.Stream event = app.enqueue("echo", "hi".getBytes(), "fake", Duration.ZERO);
            awaitInfo(app, i -> workers(i) == 1, Duration.ofSeconds(10));
            FrameReader reader = new FrameReader();
            send(worker, new WorkerMessage.Handshake("fake").frame(), new WorkerMessage.Heartbeat().frame());
            assertThat(read(worker, reader, 4)).containsExactly(new WorkerMessage.Heartbeat(), new WorkerMessage.Invoke(1, "echo"),
                    new WorkerMessage.Chunk(1, "hi".getBytes()), new WorkerMessage.Choke(1));
            send(worker, new WorkerMessage.Chunk(1, "ok".getBytes()).frame(), new Frame(Messages.CHUNK, 1, List.of(ValueFactory.newInteger(5))));
            assertThat(read(worker, reader, 1)).containsExactly(
                    new WorkerMessage.Error(0, Messages.INVOCATION_ERROR, "chunk: argument 0 must be binary or a string, got integer"));
            assertThat(worker.read(ByteBuffer.allocate(16))).as("the connection is closed").isEqualTo(-1);
            assertThat(text(event.next())).isEqualTo("ok");
            assertThatThrownBy(event::next).isInstanceOf(RpcException.class).hasMessage("worker fake disconnected");
        }
    }

    static void send(SocketChannel ch, Frame... frames) throws Exception {
        for (Frame f : frames) ch.write(ByteBuffer.wrap(FrameWriter.encode(f)));
    }

    /** The next {@code n} messages the agent sends on {@code ch}. */
    static List<WorkerMessage.ToWorker> read(SocketChannel ch, FrameReader reader, int n) throws Exception {
        List<WorkerMessage.ToWorker> got = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (got.size() < n && ch.read(buf.clear()) > 0) {
            for (Frame f : reader.feed(buf.flip())) got.add(WorkerMessage.ToWorker.decode(f));
        }
        return got;
    }
}
