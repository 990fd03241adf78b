package dev.steward.agent.gateway;

import dev.steward.agent.traffic.Endpoint;
import dev.steward.model.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Chooses an instance among the ready ones. Pure: the counts and latencies are passed in.
 *
 * <p>With {@code route.latency}, the instances whose recent latency is under {@code soft} (or not yet
 * known) are the candidates; when there are none, those not over {@code hard} are, and the pick says
 * more instances are wanted; only when every instance is over {@code hard} do they all compete. Among
 * the candidates: the fewest requests in flight (ties taken in turn), or plain round robin.
 */
public final class Balancer {
    private Balancer() {}

    /** The choice, and whether no instance was under the soft latency. */
    public record Pick(Endpoint endpoint, boolean wantMore) {}

    /**
     * @param turn      a number that grows with each pick (round robin, and tie breaking)
     * @param inFlight  requests in flight per instance
     * @param latencyNs recent latency per instance in nanoseconds, negative when not known
     * @param not       an instance not to choose (the one a retry comes from), or null
     */
    public static Pick pick(List<Endpoint> ready, Route route, String not, int turn, ToIntFunction<String> inFlight,
                            ToLongFunction<String> latencyNs) {
        List<Endpoint> candidates = ready;
        if (not != null) {
            candidates = new ArrayList<>(ready.size());
            for (Endpoint e : ready) if (!e.instance().equals(not)) candidates.add(e);
        }
        if (candidates.isEmpty()) return null;
        boolean wantMore = false;
        if (route.latency() != null && candidates.size() > 0) {
            long soft = route.latency().soft().toNanos();
            long hard = route.latency().hard().toNanos();
            List<Endpoint> underSoft = new ArrayList<>();
            List<Endpoint> underHard = new ArrayList<>();
            for (Endpoint e : candidates) {
                long l = latencyNs.applyAsLong(e.instance());
                if (l < 0 || l <= soft) underSoft.add(e);
                if (l < 0 || l <= hard) underHard.add(e);
            }
            if (!underSoft.isEmpty()) {
                candidates = underSoft;
            } else {
                wantMore = true;
                if (!underHard.isEmpty()) candidates = underHard;
            }
        }
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
}
