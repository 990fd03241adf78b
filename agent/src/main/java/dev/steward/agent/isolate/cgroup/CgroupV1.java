package dev.steward.agent.isolate.cgroup;

import dev.steward.model.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * cgroup v1: one directory per instance in each of the memory, cpu, cpuacct, pids and freezer
 * hierarchies, under {@code steward/SCOPE/}, except the cpu hierarchy for an instance without a CPU limit where
 * cpu is a hierarchy of its own: a group there competes as one entity beside every process of its parent, so
 * {@code steward/} would weigh as one process for all the instances of the machine, starved under foreign load.
 * Such an instance stays in the agent's cpu group, weighing as the plain process it would be without Steward
 * (its usage still comes from cpuacct). An instance with a CPU limit has its cpu group for the quota, and the
 * groups above weigh 1024 per such instance below them ({@link CpuShares}). Where cpu and cpuacct are one
 * hierarchy (its group is needed for the usage) every instance has one, weighed the same way.
 */
final class CgroupV1 implements Cgroups {
    private static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids", "freezer");
    private static final long PERIOD_US = 100_000;
    private final Path root;
    private final String scope;
    /** Whether {@link FrozenKey} was asked for, at this agent's first freeze. */
    private volatile boolean keyHeld;

    CgroupV1(Path root, String scope) {
        this.root = root;
        this.scope = scope;
    }

    /** Where every agent's groups are, in one hierarchy. */
    private Path steward(String controller) {
        return root.resolve(controller).resolve("steward");
    }

    /** Where this agent's groups are, in one hierarchy. */
    private Path base(String controller) {
        return steward(controller).resolve(scope);
    }

    @Override
    public String version() {
        return "v1";
    }

    private List<String> controllers() {
        return CONTROLLERS.stream().filter(c -> Files.isDirectory(root.resolve(c))).toList();
    }

    @Override
    public void check() throws IOException {
        for (String c : controllers()) {
            Files.createDirectories(base(c));
            CgroupFiles.removeUpTo(base(c), steward(c));
        }
    }

    /** Whether cpu is a hierarchy apart from cpuacct (then an instance's usage does not need a cpu group). */
    private boolean cpuApart() {
        try {
            return !root.resolve("cpu").toRealPath().equals(root.resolve("cpuacct").toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Cgroup create(String service, String instance, Resources limits) throws IOException {
        Group g = new Group(service, instance);
        boolean cpuGroup = limits.cpu() > 0 || !cpuApart() || CpuShares.ONE_GROUP;
        for (String c : controllers()) {
            if (!c.equals("cpu") || cpuGroup) Files.createDirectories(g.dir(c));
        }
        if (limits.memoryBytes() > 0) {
            CgroupFiles.write(g.dir("memory").resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
            Path swap = g.dir("memory").resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(swap)) CgroupFiles.write(swap, Long.toString(limits.memoryBytes()));
        }
        if (limits.cpu() > 0) {
            CgroupFiles.write(g.dir("cpu").resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
            CgroupFiles.write(g.dir("cpu").resolve("cpu.cfs_quota_us"), Long.toString(Math.max(1000, Math.round(limits.cpu() * PERIOD_US))));
        }
        if (limits.pids() > 0) CgroupFiles.write(g.dir("pids").resolve("pids.max"), Integer.toString(limits.pids()));
        if (cpuGroup && controllers().contains("cpu")) CpuShares.spread(steward("cpu"), g.dir("cpu"));
        return g;
    }

    @Override
    public Optional<Cgroup> find(String service, String instance) {
        Group g = new Group(service, instance);
        return Files.isDirectory(g.dir("memory")) || Files.isDirectory(g.dir("freezer")) ? Optional.of(g) : Optional.empty();
    }

    @Override
    public List<Cgroup> all() {
        List<Cgroup> out = new ArrayList<>();
        for (Path p : CgroupFiles.instances(base("freezer"))) {
            out.add(new Group(p.getParent().getFileName().toString(), p.getFileName().toString()));
        }
        return out;
    }

    private final class Group implements Cgroup {
        private final String service;
        private final String instance;

        Group(String service, String instance) {
            this.service = service;
            this.instance = instance;
        }

        Path dir(String controller) {
            return base(controller).resolve(service).resolve(instance);
        }

        @Override
        public String name() {
            return service + "/" + instance;
        }

        @Override
        public List<Path> procsFiles() {
            // no cpu group: the instance stays in the cpu group it was started in (the agent's)
            return controllers().stream().filter(c -> !c.equals("cpu") || Files.isDirectory(dir(c))).map(c -> dir(c).resolve("cgroup.procs")).toList();
        }

        @Override
        public void freeze() throws IOException {
            if (!keyHeld) { // asked once: where it cannot be made, it never can
                FrozenKey.hold(root.resolve("freezer"));
                keyHeld = true;
            }
            CgroupFiles.write(dir("freezer").resolve("freezer.state"), "FROZEN");
            for (int i = 0; i < 200 && !state().equals("FROZEN"); i++) sleep();
        }

        @Override
        public void thaw() throws IOException {
            CgroupFiles.write(dir("freezer").resolve("freezer.state"), "THAWED");
        }

        private String state() {
            try {
                return Files.readString(dir("freezer").resolve("freezer.state")).strip();
            } catch (IOException e) {
                return "";
            }
        }

        @Override
        public Usage usage() {
            return new Usage(CgroupFiles.readLong(dir("cpuacct").resolve("cpuacct.usage")),
                    CgroupFiles.readLong(dir("memory").resolve("memory.usage_in_bytes")),
                    CgroupFiles.readLong(dir("memory").resolve("memory.max_usage_in_bytes")),
                    CgroupFiles.readLong(dir("pids").resolve("pids.current")));
        }

        @Override
        public long oomKills() {
            long kills = CgroupFiles.keyed(dir("memory").resolve("memory.oom_control"), "oom_kill");
            return Math.max(0, kills);
        }

        @Override
        public List<Long> pids() {
            return CgroupFiles.pids(dir("freezer").resolve("cgroup.procs"));
        }

        /** Frozen, nothing in the group can fork while it is being killed; the kills land when it thaws. */
        @Override
        public void killAll() {
            try {
                freeze();
                pids().forEach(CgroupFiles::kill);
                thaw();
            } catch (IOException ignored) {
                // a group without a freezer file: signal each process until none is left
            }
            CgroupFiles.killAndWait(this::pids);
        }

        @Override
        public void remove() {
            boolean cpuGroup = Files.isDirectory(dir("cpu"));
            for (String c : controllers()) CgroupFiles.removeUpTo(dir(c), steward(c));
            if (cpuGroup) CpuShares.spread(steward("cpu"), dir("cpu"));
        }
    }

    static void sleep() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
