package dev.steward.agent.auth;

import dev.steward.agent.Json;
import dev.steward.agent.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The audit log: every change asked of the API, kept in the store under {@code audit/} in time order.
 * Recording never blocks the caller (one writer thread, in order); the oldest entries go beyond
 * {@link #KEEP}.
 */
public final class Audit implements AutoCloseable {
    static final String PREFIX = "audit/";
    public static final int KEEP = 10_000;
    private final Store store;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("steward-audit").factory());
    private final AtomicLong seq = new AtomicLong();
    private int sincePrune;

    public Audit(Store store) {
        this.store = store;
    }

    public void record(AuditEntry e) {
        String key = PREFIX + String.format("%013d-%06d", e.at().toEpochMilli(), seq.incrementAndGet() % 1_000_000);
        writer.execute(() -> {
            try {
                store.put(key, Json.write(e));
                if (++sincePrune >= 500) {
                    sincePrune = 0;
                    prune();
                }
            } catch (RuntimeException ex) {
                System.err.println("steward: cannot write the audit log: " + ex.getMessage());
            }
        });
    }

    /** Entries at or after {@code since} (null: all), oldest first, at most {@code limit} of the newest. */
    public List<AuditEntry> list(Instant since, int limit) {
        flush();
        List<AuditEntry> out = new ArrayList<>();
        for (Map.Entry<String, String> kv : store.list(PREFIX).entrySet()) {
            AuditEntry e = Json.read(kv.getValue(), AuditEntry.class);
            if (since == null || !e.at().isBefore(since)) out.add(e);
        }
        return out.size() <= limit ? out : out.subList(out.size() - limit, out.size());
    }

    /** Waits until what was recorded so far is stored. */
    public void flush() {
        try {
            writer.submit(() -> { }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void prune() {
        var keys = new ArrayList<>(store.list(PREFIX).keySet());
        // in batches a transaction takes
        for (int from = 0; from < keys.size() - KEEP; from += Store.MAX_BATCH) {
            store.apply(Map.of(), keys.subList(from, Math.min(from + Store.MAX_BATCH, keys.size() - KEEP)));
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
