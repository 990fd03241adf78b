package dev.steward.agent.isolate.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.model.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where an instance's v1 groups go, on a tree of plain folders laid out as the hierarchies are: no cpu group without a
 * CPU limit where cpu is a hierarchy of its own; one, its parents weighted, with a limit or where cpu and cpuacct are one.
 */
class CgroupV1Test {
    @TempDir Path root;

    private void hierarchies(boolean cpuWithCpuacct) throws Exception {
        for (String c : new String[] {"memory", "pids", "freezer", "cpu"}) Files.createDirectories(root.resolve(c));
        if (cpuWithCpuacct) Files.createSymbolicLink(root.resolve("cpuacct"), root.resolve("cpu"));
        else Files.createDirectories(root.resolve("cpuacct"));
    }

    @Test
    void anInstanceWithoutACpuLimitHasNoCpuGroupWhereCpuIsApart() throws Exception {
        hierarchies(false);
        CgroupV1 v1 = new CgroupV1(root, "scope");
        Cgroup plain = v1.create("web", "1", Resources.NONE);
        assertThat(root.resolve("memory/steward/scope/web/1")).isDirectory();
        assertThat(root.resolve("cpuacct/steward/scope/web/1")).as("its usage still counted").isDirectory();
        assertThat(root.resolve("cpu/steward/scope/web/1")).as("it stays in the agent's cpu group").doesNotExist();
        assertThat(plain.procsFiles()).noneMatch(p -> p.startsWith(root.resolve("cpu")))
                .contains(root.resolve("cpuacct/steward/scope/web/1/cgroup.procs"), root.resolve("memory/steward/scope/web/1/cgroup.procs"));

        Cgroup limited = v1.create("web", "2", new Resources(0, 0.5, 0));
        assertThat(root.resolve("cpu/steward/scope/web/2/cpu.cfs_quota_us")).hasContent("50000");
        assertThat(limited.procsFiles()).contains(root.resolve("cpu/steward/scope/web/2/cgroup.procs"));
        assertThat(root.resolve("cpu/steward/cpu.shares")).hasContent("1024");
        assertThat(root.resolve("cpu/steward/scope/web/cpu.shares")).hasContent("1024");
        v1.create("db", "1", new Resources(0, 1, 0));
        assertThat(root.resolve("cpu/steward/scope/cpu.shares")).as("two limited instances below").hasContent("2048");
        assertThat(root.resolve("cpu/steward/cpu.shares")).hasContent("2048");
    }

    @Test
    void whereCpuAndCpuacctAreOneHierarchyEveryInstanceHasItsGroupWeighted() throws Exception {
        hierarchies(true);
        CgroupV1 v1 = new CgroupV1(root, "scope");
        v1.create("web", "1", Resources.NONE);
        v1.create("web", "2", Resources.NONE);
        assertThat(root.resolve("cpu/steward/scope/web/1")).isDirectory();
        assertThat(root.resolve("cpu/steward/scope/web/cpu.shares")).hasContent("2048");
        assertThat(root.resolve("cpu/steward/cpu.shares")).hasContent("2048");
    }
}
