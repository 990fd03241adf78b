package dev.steward.agent.gateway;

import dev.steward.agent.traffic.Endpoint;
import dev.steward.model.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Chooses an instance among the ready ones, of this node and of others. Pure: the counts and costs are passed in.
 *
 * <p>An instance's cost is the round trip to its node (none for this node's) plus its own recent latency.
 * With {@code route.latency}, the instances whose cost is under {@code soft} (or not yet known) are the
 * candidates; when there are none, those not over {@code hard} are, and the pick says more instances are
 * wanted; only when every instance is over {@code hard} do they all compete. Among the candidates this
 * node's own are preferred when there are any; then the fewest requests in flight (ties taken in turn),
 * or plain round robin.
 */
public final class Balancer {
    private Balancer() {}

    /** The choice, and whether no instance was under the soft latency. */
    public record Pick(Endpoint endpoint, boolean wantMore) {}

    /**
     * @param turn     a number that grows with each pick (round robin, and tie breaking)
     * @param inFlight requests in flight per instance
     * @param costNs   round trip plus recent latency per instance in nanoseconds, negative when neither is known
     * @param not      an instance not to choose (the one a retry comes from), or null
     */
    public static Pick pick(List<Endpoint> ready, Route route, String not, int turn, ToIntFunction<String> inFlight,
                            ToLongFunction<Endpoint> costNs) {
        List<Endpoint> candidates = ready;
        if (not != null) {
            candidates = new ArrayList<>(ready.size());
            for (Endpoint e : ready) if (!e.instance().equals(not)) candidates.add(e);
        }
        if (candidates.isEmpty()) return null;
        boolean wantMore = false;
        if (route.latency() != null) {
            List<Endpoint> underSoft = under(candidates, route.latency().soft().toNanos(), costNs);
            if (!underSoft.isEmpty()) {
                candidates = underSoft;
            } else {
                wantMore = true;
                List<Endpoint> underHard = under(candidates, route.latency().hard().toNanos(), costNs);
                if (!underHard.isEmpty()) candidates = underHard;
            }
        }
        candidates = localFirst(candidates);
        int n = candidates.size();
        int start = Math.floorMod(turn, n);
        if (route.balance() == Route.Balance.ROUND_ROBIN || n == 1) return new Pick(candidates.get(start), wantMore);
        Endpoint best = null;
        int bestCount = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Endpoint e = candidates.get((start + i) % n);
            int c = inFlight.applyAsInt(e.instance());
            if (c < bestCount) {
                best = e;
                bestCount = c;
            }
        }
        return new Pick(best, wantMore);
    }

    /** The endpoints whose cost is unknown or at most {@code boundNs}. */
    private static List<Endpoint> under(List<Endpoint> all, long boundNs, ToLongFunction<Endpoint> costNs) {
        List<Endpoint> out = new ArrayList<>(all.size());
        for (Endpoint e : all) {
            long cost = costNs.applyAsLong(e);
            if (cost < 0 || cost <= boundNs) out.add(e);
        }
        return out;
    }

    /** This node's endpoints when there are some among others' (the same list when it holds only one kind). */
    static List<Endpoint> localFirst(List<Endpoint> all) {
        int local = 0;
        for (Endpoint e : all) if (e.local()) local++;
        if (local == 0 || local == all.size()) return all;
        List<Endpoint> out = new ArrayList<>(local);
        for (Endpoint e : all) if (e.local()) out.add(e);
        return out;
    }
}
