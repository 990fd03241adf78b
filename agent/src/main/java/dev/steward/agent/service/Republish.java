package dev.steward.agent.service;

import dev.steward.agent.instance.Context;
import dev.steward.agent.store.InstanceRecord;
import dev.steward.model.InstanceState;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Brings this node's instance records in the store in line with what its runners have: what they
 * wrote while the cluster's store was away was lost. A live instance's record is written where it
 * differs; a record of an instance no runner has is removed, unless its process still runs. Runs on the one writer, behind the
 * writes queued before it.
 */
final class Republish {
    private Republish() {}

    static void all(Context ctx, Iterable<ServiceRunner> runners) {
        ctx.writes().execute(() -> {
            try {
                runners.forEach(r -> one(ctx, r));
            } catch (RuntimeException e) {
                System.err.println("steward: cannot write this node's instance records again: " + e.getMessage());
            }
        });
    }

    private static void one(Context ctx, ServiceRunner r) {
        Map<String, InstanceRecord> stored = ctx.repo().instances(r.name()).stream().collect(Collectors.toMap(InstanceRecord::id, Function.identity()));
        for (Snapshot.Instance i : r.snapshot().instances()) {
            InstanceRecord was = stored.remove(i.id());
            if (i.handle() == null || !i.state().live()) continue;
            InstanceRecord now = new InstanceRecord(i.id(), r.name(), i.handle().pid(), i.handle().startTicks(), i.port(),
                    i.started() == null ? 0 : i.started().toEpochMilli(), i.restarts(), String.valueOf(i.log()), i.state() == InstanceState.PAUSED,
                    ctx.ports().host(), i.state() == InstanceState.RUNNING && i.ready() && i.port() > 0);
            if (!now.equals(was)) ctx.repo().save(now);
        }
        // a record no runner has: gone while the store was away, unless its process still runs (one
        // restored at start and not yet adopted, say): that one stays, for the adoption to find
        stored.values().stream().filter(gone -> !dev.steward.agent.isolate.ProcStat.same(gone.pid(), gone.startTicks()))
                .forEach(gone -> ctx.repo().removeInstance(r.name(), gone.id()));
    }
}
