package dev.steward.agent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AffinityTest {
    @Test
    void pinnedThreadsOfTheFactoryKeepToOneAllowedCpuEachInTurn() throws Exception {
        List<Integer> cpus = Affinity.allowed();
        assumeTrue(!cpus.isEmpty(), "sched_getaffinity is not available on this system");
        var factory = Slice.threads("pin-test", 0, true);
        for (int n = 0; n < cpus.size() + 1; n++) {
            CompletableFuture<List<Integer>> seen = new CompletableFuture<>();
            factory.newThread(() -> seen.complete(Affinity.allowed())).start();
            assertThat(seen.get(10, TimeUnit.SECONDS)).as("thread %d", n).containsExactly(cpus.get(n % cpus.size()));
        }
        assertThat(Affinity.allowed()).as("the test's own thread keeps every CPU").isEqualTo(cpus);
    }

    @Test
    void unpinnedThreadsKeepEveryCpu() throws Exception {
        List<Integer> cpus = Affinity.allowed();
        CompletableFuture<List<Integer>> seen = new CompletableFuture<>();
        Slice.threads("pin-none", 0, false).newThread(() -> seen.complete(Affinity.allowed())).start();
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(cpus);
    }

    @Test
    void aCpuOutsideTheMaskIsRefusedAndChangesNothing() throws Exception {
        List<Integer> cpus = Affinity.allowed();
        assumeTrue(!cpus.isEmpty(), "sched_getaffinity is not available on this system");
        CompletableFuture<List<Integer>> seen = new CompletableFuture<>();
        new Thread(() -> {
            boolean took = Affinity.pin(-1) || Affinity.pin(1 << 20);
            seen.complete(took ? List.of() : Affinity.allowed());
        }).start();
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(cpus);
    }
}
