package dev.steward.agent.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.cluster.NodeRecord;
import dev.steward.model.Placement;
import dev.steward.model.Resources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure placement: fit, labels, spread, least loaded, pending reasons, drains and their handover. */
class PlanTest {
    static final long GIB = 1L << 30;

    static Candidate node(String name, double cpu, double memoryGib, Map<String, String> labels) {
        return new Candidate(name, labels, new NodeRecord.Resources(cpu, (long) (memoryGib * GIB), 1000), false);
    }

    static Candidate drained(Candidate n) {
        return new Candidate(n.name(), n.labels(), n.total(), true);
    }

    static Ask ask(String service, int count, Resources each, Placement where) {
        return new Ask(service, count, each, where);
    }

    static Decision one(Ask a, Map<String, Map<String, Integer>> current, Candidate... nodes) {
        return Plan.place(List.of(a), current, List.of(nodes)).get(a.service());
    }

    @Test
    void instancesGoWhereTheirResourcesFitLeastLoadedFirst() {
        Candidate a = node("a", 4, 1, Map.of());
        Candidate b = node("b", 4, 8, Map.of());
        Ask big = ask("big", 2, new Resources(2 * GIB, 1, 0), Placement.ANY);
        assertThat(one(big, Map.of(), a, b)).isEqualTo(new Decision.Placed(Map.of("b", 2)));
        Ask small = ask("small", 2, Resources.NONE, Placement.ANY);
        assertThat(one(small, Map.of(), a, b).placed()).as("one on each: the least loaded first").isEqualTo(Map.of("a", 1, "b", 1));
        // what other services hold counts: b keeps 2 of "big" (4 of its 8 GiB), so a 5 GiB one goes nowhere
        var both = Plan.place(List.of(big, ask("more", 1, new Resources(5 * GIB, 0, 0), Placement.ANY)),
                Map.of("big", Map.of("b", 3)), List.of(a, b));
        assertThat(both.get("big").placed()).as("kept where it was, shrunk to 2").isEqualTo(Map.of("b", 2));
        assertThat(both.get("more")).isInstanceOf(Decision.Pending.class);
        assertThat(((Decision.Pending) both.get("more")).reason()).isEqualTo("no node has 5 GiB of memory free: a 1 GiB, b 4 GiB");
    }

    @Test
    void nodeLabelsAndSpread() {
        Candidate a = node("a", 4, 8, Map.of("zone", "x"));
        Candidate b = node("b", 4, 8, Map.of("zone", "y"));
        Candidate c = node("c", 4, 8, Map.of("zone", "y"));
        Ask onY = ask("web", 3, Resources.NONE, new Placement(Map.of("zone", "y"), null));
        assertThat(one(onY, Map.of(), a, b, c).placed()).isEqualTo(Map.of("b", 2, "c", 1));
        Ask spread = ask("web", 2, Resources.NONE, new Placement(Map.of(), "zone"));
        assertThat(one(spread, Map.of(), b, c, a).placed()).as("one per zone").isEqualTo(Map.of("a", 1, "b", 1));
        Ask four = ask("web", 4, Resources.NONE, new Placement(Map.of(), "zone"));
        assertThat(one(four, Map.of(), a, b, c).placed()).as("zones even, then nodes even").isEqualTo(Map.of("a", 2, "b", 1, "c", 1));
        Ask nowhere = ask("db", 1, Resources.NONE, new Placement(Map.of("zone", "z"), null));
        Decision d = one(nowhere, Map.of(), a, b);
        assertThat(d).isEqualTo(new Decision.Pending(Map.of(), 1, "no node has label zone=z: a zone=x, b zone=y"));
    }

    @Test
    void pendingReasonsNameWhatIsMissingAndWhatIsFree() {
        Candidate a = node("a", 1.5, 1.25, Map.of());
        Candidate b = node("b", 0.5, 0.8, Map.of());
        assertThat(reason(ask("m", 1, new Resources(2 * GIB, 0, 0), Placement.ANY), a, b))
                .isEqualTo("no node has 2 GiB of memory free: a 1.2 GiB, b 0.8 GiB");
        assertThat(reason(ask("c", 1, new Resources(0, 2, 0), Placement.ANY), a, b)).isEqualTo("no node has 2 CPUs free: a 1.5 CPUs, b 0.5 CPUs");
        assertThat(reason(ask("p", 1, new Resources(0, 0, 5000), Placement.ANY), a, b)).isEqualTo("no node has 5000 pids free: a 1000, b 1000");
        assertThat(reason(ask("both", 1, new Resources(GIB, 1, 0), Placement.ANY), node("a", 0.5, 4, Map.of()), drained(node("b", 4, 4, Map.of())),
                node("c", 4, 0.5, Map.of())))
                .as("each amount is free somewhere, never both on one node; a drained node does not count")
                .isEqualTo("no node has 1 GiB of memory and 1 CPU free at once: a 4 GiB, 0.5 CPUs, 1000 pids; c 0.5 GiB, 4 CPUs, 1000 pids");
        assertThat(reason(ask("x", 1, Resources.NONE, Placement.ANY), drained(a), drained(b))).isEqualTo("every node that may run it is drained: a, b");
        assertThat(reason(ask("x", 1, Resources.NONE, Placement.ANY))).isEqualTo("no node is in the cluster");
        Decision partial = one(ask("m", 2, new Resources(GIB, 0, 0), Placement.ANY), Map.of(), a, b);
        assertThat(partial).isEqualTo(new Decision.Pending(Map.of("a", 1), 1, "1 of 2 placed; no node has 1 GiB of memory free: a 256 MiB, b 0.8 GiB"));
    }

    static String reason(Ask a, Candidate... nodes) {
        Decision d = one(a, Map.of(), nodes);
        return d instanceof Decision.Pending p ? p.reason() : "placed: " + d.placed();
    }

    @Test
    void aNodeGoneOrDrainedHasItsInstancesMovedAndTheRestStay() {
        Candidate a = node("a", 4, 8, Map.of());
        Candidate b = node("b", 4, 8, Map.of());
        Candidate c = node("c", 4, 8, Map.of());
        Ask web = ask("web", 3, Resources.NONE, Placement.ANY);
        Map<String, Map<String, Integer>> now = Map.of("web", Map.of("a", 2, "b", 1));
        assertThat(one(web, now, a, b, c).placed()).as("nothing moves without a cause").isEqualTo(Map.of("a", 2, "b", 1));
        assertThat(one(web, now, b, c).placed()).as("a gone").isEqualTo(Map.of("b", 2, "c", 1));
        assertThat(one(web, now, drained(a), b, c).placed()).as("a drained").isEqualTo(Map.of("b", 2, "c", 1));
    }

    @Test
    void aDrainedNodeKeepsItsInstancesUntilTheirReplacementsRun() {
        Ask web = ask("web", 2, Resources.NONE, Placement.ANY);
        Assignment before = new Assignment("web", 2, Map.of("a", 1, "b", 1), Map.of(), 0, "");
        Decision moved = new Decision.Placed(Map.of("b", 1, "c", 1));
        Duration patience = Duration.ofSeconds(30);
        Assignment waiting = Handover.next(before, web, moved, Set.of("a"), Map.of("a", 1, "b", 1), 1000, patience);
        assertThat(waiting).isEqualTo(new Assignment("web", 2, Map.of("b", 1, "c", 1), Map.of("a", 1), 1000, ""));
        assertThat(waiting.on("a")).isEqualTo(1);
        assertThat(Handover.next(waiting, web, moved, Set.of("a"), Map.of("a", 1, "b", 1), 5000, patience))
                .as("still waiting for c, since the first pass").isEqualTo(waiting);
        assertThat(Handover.next(waiting, web, moved, Set.of("a"), Map.of("a", 1, "b", 1, "c", 1), 6000, patience))
                .as("c runs its own: a's stops").isEqualTo(new Assignment("web", 2, Map.of("b", 1, "c", 1), Map.of(), 0, ""));
        assertThat(Handover.next(waiting, web, moved, Set.of("a"), Map.of("a", 1, "b", 1), 31_000, patience).leaving())
                .as("at most the patience").isEmpty();
        assertThat(Handover.next(before, web, moved, Set.of(), Map.of("b", 1), 1000, patience).leaving())
                .as("a node that is gone keeps nothing").isEmpty();
    }

    @Test
    void oneMoreAskedForNearANodeGoesToTheNearestWithRoomAndTheOthersStay() {
        Candidate a = node("a", 4, 1, Map.of());
        Candidate b = node("b", 4, 8, Map.of());
        Candidate c = node("c", 4, 8, Map.of());
        Ask more = new Ask("web", 2, new Resources(2 * GIB, 0, 0), Placement.ANY, List.of("a", "c", "b"));
        assertThat(one(more, Map.of("web", Map.of("b", 1)), a, b, c)).as("a is nearest but has 1 GiB: c, the next")
                .isEqualTo(new Decision.Placed(Map.of("b", 1, "c", 1)));
        Ask small = new Ask("web", 2, Resources.NONE, Placement.ANY, List.of("a", "c", "b"));
        assertThat(one(small, Map.of("web", Map.of("b", 1)), a, b, c)).isEqualTo(new Decision.Placed(Map.of("a", 1, "b", 1)));
    }

    static Placement near(String... services) {
        return new Placement(Map.of(), null, List.of(services), List.of());
    }

    static Placement apart(String... services) {
        return new Placement(Map.of(), null, List.of(), List.of(services));
    }

    @Test
    void affinityGoesWhereTheNamedServiceRunsAndIsDecidedAfterIt() {
        Candidate a = node("a", 4, 8, Map.of());
        Candidate b = node("b", 4, 8, Map.of());
        Candidate c = node("c", 4, 8, Map.of());
        // "api" sorts before "zdb", yet zdb is decided first: api follows it to b in the same pass
        var d = Plan.place(List.of(ask("api", 2, Resources.NONE, near("zdb")), ask("zdb", 1, Resources.NONE, Placement.ANY)),
                Map.of("zdb", Map.of("b", 1)), List.of(a, b, c));
        assertThat(d.get("zdb").placed()).isEqualTo(Map.of("b", 1));
        assertThat(d.get("api")).as("both beside the one zdb").isEqualTo(new Decision.Placed(Map.of("b", 2)));
        // where zdb moves, api moves with it
        var moved = Plan.place(List.of(ask("api", 1, Resources.NONE, near("zdb")), ask("zdb", 1, Resources.NONE, new Placement(Map.of("zone", "x"), null))),
                Map.of("api", Map.of("b", 1), "zdb", Map.of("b", 1)), List.of(a, b, node("c", 4, 8, Map.of("zone", "x"))));
        assertThat(moved.get("api").placed()).isEqualTo(Map.of("c", 1));
        assertThat(one(ask("web", 1, Resources.NONE, near("db", "cache")), Map.of("db", Map.of("a", 1), "cache", Map.of("a", 1, "b", 1)), a, b).placed())
                .as("on a node with every one named").isEqualTo(Map.of("a", 1));
    }

    @Test
    void antiAffinityKeepsApartBothWays() {
        Candidate a = node("a", 4, 8, Map.of());
        Candidate b = node("b", 4, 8, Map.of());
        Candidate c = node("c", 4, 8, Map.of());
        assertThat(one(ask("web", 4, Resources.NONE, apart("db")), Map.of("db", Map.of("b", 1)), a, b, c).placed()).isEqualTo(Map.of("a", 2, "c", 2));
        // db names web; web names nothing, yet stays off db's node
        var d = Plan.place(List.of(ask("db", 1, Resources.NONE, apart("web")), ask("web", 2, Resources.NONE, Placement.ANY)),
                Map.of("db", Map.of("a", 1)), List.of(a, b, c));
        assertThat(d.get("web").placed()).isEqualTo(Map.of("b", 1, "c", 1));
        assertThat(d.get("db").placed()).isEqualTo(Map.of("a", 1));
    }

    @Test
    void nothingFitsBecauseOfAffinityOrAntiAffinityPendingWithTheReason() {
        Candidate a = node("a", 4, 8, Map.of());
        Candidate b = node("b", 4, 8, Map.of());
        assertThat(reason(ask("web", 1, Resources.NONE, near("db")), a, b)).isEqualTo("affinity: db runs on no node");
        Decision d = one(ask("web", 1, Resources.NONE, apart("cache")), Map.of("cache", Map.of("a", 1, "b", 2)), a, b);
        assertThat(d).isEqualTo(new Decision.Pending(Map.of(), 1,
                "no node fits its affinity and anti-affinity: a runs cache (anti-affinity), b runs cache (anti-affinity)"));
        var both = Plan.place(List.of(ask("db", 1, Resources.NONE, apart("web")), ask("web", 1, Resources.NONE, near("cache")),
                ask("cache", 1, Resources.NONE, Placement.ANY)), Map.of("db", Map.of("a", 1), "cache", Map.of("a", 1)), List.of(a, b));
        assertThat(((Decision.Pending) both.get("web")).reason())
                .isEqualTo("no node fits its affinity and anti-affinity: a runs db (which keeps apart from web), b has no cache");
        Decision some = one(ask("web", 3, new Resources(5 * GIB, 0, 0), near("db")), Map.of("db", Map.of("a", 1)), a, b);
        assertThat(some).as("beside db, memory is what runs out").isEqualTo(new Decision.Pending(Map.of("a", 1), 2,
                "1 of 3 placed; no node has 5 GiB of memory free: a 3 GiB"));
        assertThat(reason(ask("web", 1, Resources.NONE, near("db")), drained(a), b).isEmpty()).isFalse();
    }

    @Test
    void oneServiceDecidedAgainstTheLedgerIsPlacedAsAFullPassWouldPlaceIt() {
        List<Candidate> nodes = List.of(node("a", 4, 4, Map.of()), node("b", 4, 8, Map.of()), node("c", 4, 8, Map.of()));
        List<Ask> asks = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) asks.add(ask("s" + i, 1 + i % 3, new Resources(GIB / 4, 0, 0), Placement.ANY));
        asks.add(ask("apart", 1, Resources.NONE, apart("new")));
        Map<String, Map<String, Integer>> current = new java.util.HashMap<>();
        Plan.place(asks, Map.of(), nodes).forEach((s, d) -> current.put(s, d.placed()));
        Ask added = ask("new", 4, new Resources(2 * GIB, 0, 0), Placement.ANY);
        List<Ask> all = new java.util.ArrayList<>(asks);
        all.add(added);
        Decision full = Plan.place(all, current, nodes).get("new");

        Ledger ledger = new Ledger(nodes);
        asks.forEach(a -> ledger.count(a.service(), a.each(), current.get(a.service())));
        Map<String, Decision> alone = Plan.decide(List.of(added), ledger, nodes, Neighbours.avoiders(all));
        assertThat(alone).containsOnlyKeys("new");
        assertThat(alone.get("new")).isEqualTo(full);
        assertThat(full.placed()).as("kept off the node of the one that keeps apart from it").doesNotContainKey(current.get("apart").keySet().iterator().next());
        assertThat(ledger.on("new")).as("the ledger counts the decision").isEqualTo(full.placed());
        long used = 20 * GIB - nodes.stream().mapToLong(n -> ledger.loads().get(n.name()).freeMemory()).sum();
        long expected = asks.stream().mapToLong(a -> a.count() * a.each().memoryBytes()).sum() + full.placed().values().stream().mapToLong(n -> n * 2 * GIB).sum();
        assertThat(used).as("every service's memory counted once").isEqualTo(expected);
    }

    @Test
    void theLedgerReplacesAServicesCountAndForgetsIt() {
        Ledger ledger = new Ledger(List.of(node("a", 4, 4, Map.of())));
        ledger.count("web", new Resources(GIB, 1, 0), Map.of("a", 2));
        ledger.count("web", new Resources(GIB, 1, 0), Map.of("a", 1, "gone", 5));
        assertThat(ledger.loads().get("a").freeMemory()).as("counted again, not added").isEqualTo(3 * GIB);
        assertThat(ledger.loads().get("a").freeCpu()).isEqualTo(3.0);
        ledger.count("old", null, Map.of("a", 3));
        assertThat(ledger.loads().get("a").instances()).as("one no longer registered takes no room").isEqualTo(1);
        assertThat(ledger.where()).containsEntry("old", Map.of("a", 3));
        ledger.forget("web");
        assertThat(ledger.loads().get("a").freeMemory()).isEqualTo(4 * GIB);
        assertThat(ledger.on("web")).isEmpty();
    }
}
