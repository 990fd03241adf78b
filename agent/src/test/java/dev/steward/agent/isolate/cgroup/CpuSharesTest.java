package dev.steward.agent.isolate.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each group above the instances weighs 1024 per instance below it (as many plain processes), counted again at each change. */
class CpuSharesTest {
    @TempDir Path cpu;

    private Path instance(String scope, String service, String instance) throws Exception {
        return Files.createDirectories(cpu.resolve("steward").resolve(scope).resolve(service).resolve(instance));
    }

    private String shares(String... path) throws Exception {
        return Files.readString(cpu.resolve("steward").resolve(String.join("/", path)).resolve("cpu.shares"));
    }

    /** As rmdir removes a group: its files (here plain files) with it. */
    private static void rmdir(Path d) throws Exception {
        Files.deleteIfExists(d.resolve("cpu.shares"));
        Files.delete(d);
    }

    @Test
    void eachGroupWeighsItsInstancesAsPlainProcesses() throws Exception {
        Path steward = cpu.resolve("steward");
        Path a = instance("aaaa", "web", "1");
        CpuShares.spread(steward, a);
        assertThat(shares()).isEqualTo("1024");
        Path b = instance("aaaa", "web", "2");
        CpuShares.spread(steward, b);
        Path c = instance("aaaa", "db", "1");
        CpuShares.spread(steward, c);
        Path other = instance("bbbb", "job", "1");
        CpuShares.spread(steward, other);
        assertThat(shares("aaaa", "web")).isEqualTo("2048");
        assertThat(shares("aaaa", "db")).isEqualTo("1024");
        assertThat(shares("aaaa")).isEqualTo("3072");
        assertThat(shares("bbbb")).isEqualTo("1024");
        assertThat(shares()).as("another agent's instances counted too").isEqualTo("4096");
        assertThat(a.resolve("cpu.shares")).as("an instance keeps the default weight").doesNotExist();

        rmdir(b);
        CpuShares.spread(steward, b);
        assertThat(shares("aaaa", "web")).isEqualTo("1024");
        assertThat(shares("aaaa")).isEqualTo("2048");
        assertThat(shares()).isEqualTo("3072");
        rmdir(other);
        rmdir(other.getParent());
        rmdir(other.getParent().getParent());
        CpuShares.spread(steward, other); // its groups gone: nothing written for them, the rest counted again
        assertThat(cpu.resolve("steward/bbbb")).doesNotExist();
        assertThat(shares()).isEqualTo("2048");
    }

    @Test
    void theWeightStopsAtTheKernelsLargest() throws Exception {
        Path steward = cpu.resolve("steward");
        Path last = null;
        for (int i = 0; i < 300; i++) last = instance("aaaa", "web", Integer.toString(i));
        CpuShares.spread(steward, last);
        assertThat(shares("aaaa", "web")).isEqualTo(Long.toString(CpuShares.MAX));
        assertThat(shares()).isEqualTo(Long.toString(CpuShares.MAX));
    }
}
