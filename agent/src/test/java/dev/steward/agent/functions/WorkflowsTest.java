package dev.steward.agent.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkflowsTest {
    @TempDir
    Path root;
    final AtomicLong now = new AtomicLong(1_000);
    static final Map<String, Set<String>> CALLS_B = Map.of("a", Set.of("b"));

    Workflows workflows() throws Exception {
        return new Workflows(root, now::get);
    }

    @Test
    void aCallJoinsItsCallersWorkflowOneDeeperWithAScratchDirectoryOfItsOwn() throws Exception {
        Workflows w = workflows();
        Workflows.Invocation a = w.begin(null, 0, "a", Duration.ofSeconds(10), CALLS_B);
        assertThat(a.token()).hasSize(32);
        assertThat(a.event()).isEqualTo("a\t" + a.flow().dir + "\t" + a.scratch() + "\t0\t" + a.token());
        Workflows.Invocation caller = w.caller(a.token(), "a", "b", 3);
        assertThat(caller).isSameAs(a);
        Workflows.Invocation b = w.begin(caller, 4, "b", w.left(caller), Map.of("b", Set.of()));
        assertThat(b.flow()).isSameAs(a.flow());
        assertThat(b.scratch()).isNotEqualTo(a.scratch());
        assertThat(b.scratch().getParent()).isEqualTo(a.flow().dir);
        assertThat(b.token()).as("b may call nothing in other workers").isEmpty();
        assertThat(b.depth()).isEqualTo(4);
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(w.left(a)).isEqualTo(Duration.ofSeconds(6));
        Workflows.Invocation other = w.begin(null, 0, "a", Duration.ofSeconds(10), CALLS_B);
        assertThat(other.flow().dir).isNotEqualTo(a.flow().dir);
    }

    @Test
    void callsAreRefusedWithoutARunningInvocationsTokenOrADeclarationOrPastTheDepthLimit() throws Exception {
        Workflows w = workflows();
        Workflows.Invocation a = w.begin(null, 0, "a", Duration.ofSeconds(10), CALLS_B);
        assertThatThrownBy(() -> w.caller("guess", "a", "b", 0)).hasMessage("the invocation that calls b has ended (or never was)");
        assertThatThrownBy(() -> w.caller(a.token(), "z", "b", 0)).hasMessage("function z does not run in the calling worker");
        assertThatThrownBy(() -> w.caller(a.token(), "a", "c", 0)).hasMessage("function a does not declare c in calls: as other-worker");
        assertThatThrownBy(() -> w.caller(a.token(), "a", "b", Workflows.MAX_DEPTH - 1)).hasMessage("function b: calls nest deeper than 32");
        w.end(a);
        assertThatThrownBy(() -> w.caller(a.token(), "a", "b", 0)).hasMessage("the invocation that calls b has ended (or never was)");
    }

    @Test
    void theWorkflowsDirectoryGoesWithItsLastInvocationAndLeftoversAtTheNextStart() throws Exception {
        Files.createDirectories(root.resolve("old").resolve("x"));
        Workflows w = workflows();
        assertThat(root.resolve("old")).doesNotExist();
        Workflows.Invocation a = w.begin(null, 0, "a", Duration.ofSeconds(10), CALLS_B);
        Workflows.Invocation b = w.begin(a, 1, "b", Duration.ofSeconds(10), Map.of());
        Files.createDirectories(b.scratch());
        Files.writeString(b.scratch().resolve("part"), "x");
        w.end(a);
        assertThat(b.scratch().resolve("part")).exists();
        w.end(b);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(a.flow().dir)) {
            assertThat(System.nanoTime()).as("removed on a thread of its own").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
