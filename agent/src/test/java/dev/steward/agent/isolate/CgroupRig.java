package dev.steward.agent.isolate;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.steward.agent.isolate.cgroup.Cgroups;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What isolate tests with cgroups start from: this machine's cgroups under a scope of their own, the
 * helper (or, without it, the shell way) and an exit watcher, closed with the rig.
 */
final class CgroupRig implements AutoCloseable {
    final NodeScope scope;
    final Cgroups tree;
    private final Path helper;
    private final InstanceCgroups cgroups;
    private final ExitWatcher watcher = new ExitWatcher();

    private CgroupRig(NodeScope scope, Cgroups tree, Path helper) {
        this.scope = scope;
        this.tree = tree;
        this.helper = helper;
        this.cgroups = new InstanceCgroups(tree);
    }

    /** Skips the test unless it runs as root with usable cgroups (and, {@code withHelper}, a built helper). */
    static CgroupRig require(Path tmp, boolean withHelper) throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "cgroups need root");
        NodeScope scope = NodeScope.of(tmp);
        Cgroups tree = Cgroups.detect(Path.of("/sys/fs/cgroup"), scope.id()).orElse(null);
        assumeTrue(tree != null, "no usable cgroups here");
        Path helper = withHelper ? SandboxIsolate.installHelper(tmp.resolve("bin")) : null;
        assumeTrue(!withHelper || helper != null, "the helper was not built (no C compiler at build time)");
        return new CgroupRig(scope, tree, helper);
    }

    ProcessIsolate process() {
        return new ProcessIsolate(watcher, cgroups, helper);
    }

    SandboxIsolate sandbox() {
        return new SandboxIsolate(watcher, cgroups, helper);
    }

    @Override
    public void close() {
        watcher.close();
    }
}
