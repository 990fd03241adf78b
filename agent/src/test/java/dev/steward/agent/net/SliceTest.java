package dev.steward.agent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SliceTest {
    @Test
    void aThreadOfTheFactoryRunsWithTheSliceItAskedFor() throws Exception {
        assumeTrue(Slice.current() >= 0, "sched_getattr is not available on this system");
        CompletableFuture<Long> seen = new CompletableFuture<>();
        Thread t = Slice.threads("slice-test", 400_000).newThread(() -> seen.complete(Slice.current()));
        t.start();
        long slice = seen.get(10, TimeUnit.SECONDS);
        // kernels before EEVDF's custom slices may refuse the value or keep it unused; this one (6.12+) keeps it
        assumeTrue(slice != 0 || !System.getProperty("os.version").matches("([7-9]|6\\.(1[2-9]|[2-9]\\d)).*"),
                "this kernel keeps no slice of its own per thread");
        assertThat(slice).isEqualTo(400_000);
        assertThat(Slice.current()).as("the test's own thread keeps the default").isNotEqualTo(400_000);
    }

    @Test
    void nothingIsAskedForAZeroSlice() throws Exception {
        CompletableFuture<Long> seen = new CompletableFuture<>();
        Slice.threads("slice-none", 0).newThread(() -> seen.complete(Slice.current())).start();
        long before = Slice.current();
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(before);
        assertThat(Slice.request(0)).isFalse();
    }
}
