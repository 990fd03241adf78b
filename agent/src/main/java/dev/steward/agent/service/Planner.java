package dev.steward.agent.service;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides which instances to start and stop: pure. Instances of an older spec version (stale) are
 * replaced one at a time: a new one starts, and only once it is ready does an old one stop, so the
 * service keeps serving through a change.
 */
final class Planner {
    private Planner() {}

    /**
     * One instance as the planner sees it, in the order instances were made.
     *
     * @param counts not being stopped
     * @param ready  running and past its readiness check
     */
    record Facts(String id, int version, boolean counts, boolean ready) {}

    static List<Action> plan(int wanted, int version, List<Facts> instances, boolean needsMet) {
        List<Facts> fresh = new ArrayList<>();
        List<Facts> stale = new ArrayList<>();
        for (Facts f : instances) {
            if (!f.counts()) continue;
            (f.version() == version ? fresh : stale).add(f);
        }
        List<Action> out = new ArrayList<>();
        if (stale.isEmpty() || wanted == 0) {
            stale.forEach(f -> out.add(new Action.Stop(f.id(), "stop requested")));
            int excess = fresh.size() - wanted;
            // the newest first: the oldest have proven themselves
            for (int i = 0; i < excess; i++) out.add(new Action.Stop(fresh.get(fresh.size() - 1 - i).id(), "stop requested"));
            if (needsMet) for (int i = fresh.size(); i < wanted; i++) out.add(new Action.Start());
            return out;
        }
        for (int i = fresh.size() - 1; i >= wanted; i--) out.add(new Action.Stop(fresh.get(i).id(), "stop requested"));
        long freshReady = fresh.stream().limit(wanted).filter(Facts::ready).count();
        long replaced = Math.max(0, freshReady + stale.size() - wanted);
        for (int i = 0; i < replaced; i++) out.add(new Action.Stop(stale.get(i).id(), "replaced by an instance of the new spec"));
        boolean oneComing = fresh.stream().limit(wanted).anyMatch(f -> !f.ready());
        if (!oneComing && fresh.size() < wanted && needsMet) out.add(new Action.Start());
        return out;
    }
}
