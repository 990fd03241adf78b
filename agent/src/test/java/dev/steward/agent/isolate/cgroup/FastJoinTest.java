package dev.steward.agent.isolate.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hierarchy that makes cgroup moves cheap: found in a mount table, and mounted on this machine. */
class FastJoinTest {
    @TempDir Path tmp;

    @Test
    void aHierarchyWithTheOptionIsFoundAmongTheMountsAndOnlySuchAOne() throws Exception {
        Path mounts = tmp.resolve("mounts");
        Files.writeString(mounts, """
                sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
                cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0
                cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0
                tmpfs /run/favordynmods tmpfs rw,favordynmods 0 0
                """);
        assertThat(FastJoin.on(mounts)).as("no cgroup mount has the option (a tmpfs named so does not count)").isFalse();
        Files.writeString(mounts, "cgroup /run/steward/cgroup-fast-join cgroup rw,relatime,favordynmods,name=steward 0 0\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(FastJoin.on(mounts)).isTrue();
        Files.writeString(mounts, "cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate,favordynmods,memory_recursiveprot 0 0\n");
        assertThat(FastJoin.on(mounts)).as("a v2 tree mounted with it").isTrue();
        assertThat(FastJoin.on(tmp.resolve("absent"))).isFalse();
    }

    @Test
    void afterEnsureSomeHierarchyOfThisMachineHasTheOption() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a cgroup hierarchy needs root");
        String said = FastJoin.ensure();
        // only a kernel without v1 hierarchies, or without the option (before 6.0), may refuse it
        assumeTrue(kernelAtLeast6() && Files.readString(Path.of("/proc/filesystems")).contains("\tcgroup\n"),
                "this kernel cannot mount it: " + said);
        assertThat(said).satisfiesAnyOf(
                s -> assertThat(s).startsWith("cgroup moves are fast"), s -> assertThat(s).startsWith("cgroup moves made fast"));
        assertThat(FastJoin.on(Path.of("/proc/self/mounts"))).isTrue();
        assertThat(FastJoin.ensure()).as("a second agent finds it").startsWith("cgroup moves are fast");
    }

    private static boolean kernelAtLeast6() {
        String v = System.getProperty("os.version");
        return Integer.parseInt(v.substring(0, v.indexOf('.'))) >= 6;
    }
}
