package dev.steward.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.events.EventBus;
import dev.steward.agent.health.Pinger;
import dev.steward.agent.instance.Context;
import dev.steward.agent.instance.ManualTime;
import dev.steward.agent.instance.PortAllocator;
import dev.steward.agent.isolate.FakeIsolate;
import dev.steward.agent.isolate.Isolates;
import dev.steward.agent.spool.Limits;
import dev.steward.agent.spool.Spooler;
import dev.steward.agent.store.MemoryStore;
import dev.steward.agent.store.StateRepository;
import dev.steward.agent.traffic.InFlight;
import dev.steward.model.Event;
import dev.steward.model.InstanceState;
import dev.steward.model.ServiceState;
import dev.steward.model.SpecParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service runner's decisions with a fake isolate, a memory store and a manual clock: no
 * process runs, and time moves only when the test moves it.
 */
class RunnerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @TempDir
    Path tmp;
    private final ManualTime time = new ManualTime();
    private final FakeIsolate fake = new FakeIsolate();
    private final MemoryStore store = new MemoryStore();
    private final EventBus bus = new EventBus();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private Registry registry;

    @BeforeEach
    void setUp() {
        bus.listen(events::add);
        registry = new Registry(context());
    }

    @AfterEach
    void tearDown() {
        registry.detach();
        stamps.close();
    }

    private final dev.steward.agent.logs.LogStamper stamps = new dev.steward.agent.logs.LogStamper(java.time.Clock.systemUTC());

    private Context context() {
        return new Context(time, Isolates.of(fake), new PortAllocator(), new Pinger(), bus, new StateRepository(store), Runnable::run,
                time, tmp, "test", Duration.ofSeconds(5), (s, r) -> { }, new Spooler(tmp.resolve("spool"), Limits.DEFAULT), new InFlight(),
                dev.steward.agent.isolate.RunAs.AGENT_USER, stamps, new dev.steward.agent.traffic.Readiness());
    }

    private ServiceRunner register(String yaml) {
        return register(yaml, false);
    }

    private ServiceRunner register(String yaml, boolean custom) {
        // fake instances listen nowhere: no ping unless the test gives one
        String ping = yaml.contains("ping:") ? "" : "ping: none\n";
        var view = registry.register(SpecParser.parse("command: [serve]\n" + ping + yaml, tmp), "tester", custom);
        return registry.runner(view.name());
    }

    private static Snapshot await(ServiceRunner r, String what, Predicate<Snapshot> test) {
        Snapshot s = r.await(test, WAIT);
        assertThat(test.test(s)).as(what + " (last seen: " + s.state() + " " + s.instances() + ")").isTrue();
        return s;
    }

    private static boolean running(Snapshot s, int n) {
        return s.instances().stream().filter(i -> i.state() == InstanceState.RUNNING).count() == n;
    }

    /** Moves the clock on and waits until the runner has taken everything that fell due. */
    private void advance(ServiceRunner r, Duration d) {
        time.advance(d);
        r.sync();
    }

    @Test
    void restartsBackOffDoublingAndTheFailureLimitDisables() {
        ServiceRunner r = register("name: crashy\nrestart: {delay: 1s, max-delay: 8s, failures-limit: 3, window: 1m}\n");
        await(r, "first instance runs", s -> running(s, 1));
        fake.spawned.get(0).crash(1);
        await(r, "it failed", s -> s.instances().get(0).state() == InstanceState.FAILED);
        advance(r, Duration.ofMillis(999));
        assertThat(fake.spawned).as("not restarted before its delay").hasSize(1);
        advance(r, Duration.ofMillis(1));
        Snapshot s = await(r, "restarted once", x -> running(x, 1) && fake.spawned.size() == 2);
        assertThat(s.instances().get(0).restarts()).as("a crash-looping instance counts its restarts").isEqualTo(1);
        fake.spawned.get(1).crash(1);
        await(r, "it failed again", x -> x.instances().get(0).state() == InstanceState.FAILED);
        advance(r, Duration.ofMillis(1999));
        assertThat(fake.spawned).as("the second delay doubled").hasSize(2);
        advance(r, Duration.ofMillis(1));
        s = await(r, "restarted twice", x -> running(x, 1) && fake.spawned.size() == 3);
        assertThat(s.instances().get(0).restarts()).isEqualTo(2);
        fake.spawned.get(2).crash(1);
        s = await(r, "disabled at the limit", x -> x.state() == ServiceState.DISABLED);
        assertThat(s.reason()).contains("failure limit reached").contains("3 failures");
        assertThat(s.stats().failures()).isEqualTo(3);
        r.start(null);
        await(r, "start enables it again", x -> running(x, 1) && fake.spawned.size() == 4);
    }

    @Test
    void reachingTheFailureLimitWhileAnotherInstanceAwaitsItsRestartDisablesCleanly() {
        ServiceRunner r = register("name: pair\ninstances: 2\nrestart: {delay: 1s, failures-limit: 2, window: 1m}\n");
        await(r, "two run", s -> running(s, 2));
        fake.spawned.get(0).crash(1);
        await(r, "one failed, waiting for its restart", s -> s.instances().stream().anyMatch(i -> i.state() == InstanceState.FAILED));
        fake.spawned.get(1).crash(1);
        Snapshot s = await(r, "disabled", x -> x.state() == ServiceState.DISABLED);
        assertThat(s.instances()).isEmpty();
        advance(r, Duration.ofSeconds(5));
        assertThat(fake.spawned).as("the pending restart did not start anything").hasSize(2);
        assertThat(r.view().state()).isEqualTo("disabled");
    }

    @Test
    void aLingeringServiceStopsOnlyOnceItsLingerRanOut() {
        ServiceRunner r = register("name: ling\npolicy: lingering\nlinger: 30s\n");
        assertThat(r.snapshot().wanted()).isZero();
        r.useNow();
        await(r, "a use starts it", s -> running(s, 1));
        r.releaseNow();
        advance(r, Duration.ofSeconds(29));
        assertThat(r.snapshot().wanted()).as("still within its linger").isEqualTo(1);
        r.useNow();
        r.releaseNow(); // a new use moves the linger on
        advance(r, Duration.ofSeconds(2));
        assertThat(r.snapshot().wanted()).as("the linger was moved on by the second use").isEqualTo(1);
        advance(r, Duration.ofSeconds(29));
        await(r, "stopped after the linger", s -> s.state() == ServiceState.STOPPED);
        assertThat(fake.spawned.get(0).terminated).isTrue();
    }

    @Test
    void aServiceStartsOnlyOnceWhatItNeedsIsAvailable() throws Exception {
        ServiceRunner db = register("name: db\npolicy: on-demand\nping: {tcp: true, interval: 50ms}\n");
        ServiceRunner app = register("name: app\nneeds: [db]\n");
        await(db, "the app's need started the db", s -> s.instances().size() == 1 && s.state() == ServiceState.WAITING);
        app.sync();
        assertThat(app.snapshot().instances()).as("the app waits for its db").isEmpty();
        int port = Integer.parseInt(fake.spawned.get(0).request.env().get("PORT"));
        try (var listener = new java.net.ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
            await(db, "the db passes its ping", s -> s.state() == ServiceState.AVAILABLE);
            await(app, "then the app starts", s -> running(s, 1));
        }
        assertThat(fake.spawned.stream().map(f -> f.request.service())).containsExactly("db", "app");
        assertThat(db.snapshot().references()).as("the app holds a reference on the db").isEqualTo(1);
    }

    @Test
    void aDynamicServiceStaysWithinItsBounds() {
        ServiceRunner r = register("name: dyn\npolicy: dynamic\ninstances: {min: 1, max: 3}\n");
        await(r, "min runs", s -> running(s, 1) && s.wanted() == 1);
        r.scaleTo(10);
        await(r, "the autoscaler cannot pass max", s -> s.wanted() == 3 && running(s, 3));
        r.scaleTo(0);
        await(r, "nor go under min", s -> s.wanted() == 1 && running(s, 1));
        r.start(7);
        assertThat(r.snapshot().wanted()).as("a hand-given count is clamped too").isEqualTo(3);
        for (int i = 0; i < 5; i++) r.useNow();
        assertThat(r.snapshot().wanted()).isEqualTo(3);
    }

    @Test
    void aChangeOfSpecReplacesInstancesOneAtATimeNewBeforeOld() {
        ServiceRunner r = register("name: roll\ninstances: 2\nenv: {V: '1'}\n");
        await(r, "two of v1 run", s -> running(s, 2));
        List<String> old = r.snapshot().instances().stream().map(Snapshot.Instance::id).toList();
        events.clear();
        registry.modify("roll", SpecParser.parse("command: [serve]\nping: none\nname: roll\ninstances: 2\nenv: {V: '2'}\n", tmp));
        Snapshot s = await(r, "two of v2 run and the old are gone", x -> running(x, 2) && x.instances().size() == 2
                && x.instances().stream().noneMatch(i -> old.contains(i.id())));
        assertThat(fake.alive()).hasSize(2).allMatch(f -> f.request.env().get("V").equals("2"));
        // every old instance was stopped only after one more new one was running
        int newRunning = 0;
        int oldStopped = 0;
        for (Event e : events) {
            if (!(e instanceof Event.InstanceChanged c)) continue;
            if (!old.contains(c.instance()) && c.state() == InstanceState.RUNNING) newRunning++;
            if (old.contains(c.instance()) && c.state() == InstanceState.STOPPING) {
                oldStopped++;
                assertThat(newRunning).as("new instances running when old instance #" + oldStopped + " stopped").isGreaterThanOrEqualTo(oldStopped);
            }
        }
        assertThat(oldStopped).isEqualTo(2);
        assertThat(s.wantedBy()).isEqualTo("spec");
    }

    @Test
    void aStartCountRulesUntilTheSpecChangesIt() {
        ServiceRunner r = register("name: counted\ninstances: 1\n");
        r.start(3);
        Snapshot s = await(r, "three run", x -> running(x, 3));
        assertThat(s.wantedBy()).isEqualTo("service start --instances");
        registry.modify("counted", SpecParser.parse("command: [serve]\nping: none\nname: counted\ninstances: 1\nrestart: {delay: 2s}\n", tmp));
        assertThat(r.snapshot().wanted()).as("a change that leaves the count alone keeps the started count").isEqualTo(3);
        registry.modify("counted", SpecParser.parse("command: [serve]\nping: none\nname: counted\ninstances: 2\n", tmp));
        s = await(r, "the spec's new count rules", x -> x.wanted() == 2 && running(x, 2));
        assertThat(s.wantedBy()).isEqualTo("spec");
    }

    @Test
    void aPausedServiceIsPausedAndStaysSoAcrossAnAgentThatDied() {
        ServiceRunner r = register("name: frozen\n", true);
        await(r, "it runs", s -> running(s, 1));
        assertThat(r.pause()).isEqualTo(1);
        assertThat(r.snapshot().state()).isEqualTo(ServiceState.PAUSED);
        long pid = fake.spawned.get(0).pid;
        registry.detach(); // the agent is gone (as by SIGKILL): its instances are not stopped
        registry = new Registry(context());
        registry.load();
        ServiceRunner again = registry.runner("frozen");
        Snapshot s = await(again, "the custom service is known again, adopted and still paused",
                x -> x.instances().size() == 1 && x.instances().get(0).state() == InstanceState.PAUSED && x.instances().get(0).handle() != null);
        assertThat(s.instances().get(0).pid()).isEqualTo(pid);
        assertThat(s.custom()).isTrue();
        assertThat(fake.spawned).as("nothing new was started").hasSize(1);
        again.resume();
        await(again, "resumed", x -> x.state() == ServiceState.AVAILABLE);
    }

    @Test
    void anInstanceThatIgnoresItsStopIsKilledAfterTheGrace() {
        ServiceRunner r = register("name: stubborn\n");
        await(r, "it runs", s -> running(s, 1));
        fake.ignoreTerm = true;
        r.stop();
        await(r, "told to stop", s -> fake.spawned.get(0).terminated);
        advance(r, Duration.ofMillis(4999));
        assertThat(fake.spawned.get(0).exit).as("not killed within the grace").isNotDone();
        advance(r, Duration.ofMillis(1));
        Snapshot s = await(r, "killed after it", x -> x.state() == ServiceState.STOPPED);
        assertThat(fake.spawned.get(0).exit.join().describe()).contains("SIGKILL");
        assertThat(s.stats().failures()).as("a stop is not a failure").isZero();
    }

    @Test
    void anInstanceStoppedWhileItStartsIsStoppedOnceItHasStarted() {
        fake.holdSpawns = new java.util.concurrent.CountDownLatch(1);
        ServiceRunner r = register("name: early\n");
        await(r, "it is starting", s -> s.instances().size() == 1 && s.instances().get(0).state() == InstanceState.STARTING);
        r.stop();
        assertThat(r.snapshot().instances().get(0).state()).isEqualTo(InstanceState.STOPPING);
        fake.holdSpawns.countDown();
        Snapshot s = await(r, "stopped once the spawn came back", x -> x.state() == ServiceState.STOPPED && x.instances().isEmpty());
        assertThat(fake.spawned.get(0).terminated).as("the process that came up was told to stop").isTrue();
        assertThat(fake.alive()).isEmpty();
        assertThat(s.stats().failures()).isZero();
    }

    @Test
    void aCommandToAServiceThatWasRemovedIsRefusedNotLeftWaiting() {
        ServiceRunner r = register("name: gone\n");
        await(r, "it runs", s -> running(s, 1));
        registry.unregister("gone", WAIT);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(WAIT, () ->
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.start(null))
                        .isInstanceOf(dev.steward.agent.errors.NotFoundException.class).hasMessageContaining("gone"));
    }

    @Test
    void everyKindOfInstanceEventHasItsBranchInTheRunner() {
        // Service.react dispatches with instanceof (a pattern switch's first run costs a fresh agent's first start
        // about a millisecond), so the compiler no longer checks that it covers every kind: this does
        assertThat(java.util.Arrays.stream(dev.steward.agent.instance.InstanceEvent.class.getPermittedSubclasses()).map(Class::getSimpleName))
                .as("the kinds Service.react has a branch for; a new kind of event needs one there")
                .containsExactlyInAnyOrder("Spawned", "SpawnFailed", "Adopted", "Exited", "Pinged", "Drained", "KillDue", "RestartDue", "Moved");
    }
}
