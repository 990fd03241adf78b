package dev.steward.agent.isolate.cgroup;

import dev.steward.model.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** cgroup v2: one directory per instance under {@code steward/SCOPE/} of the unified tree. */
final class CgroupV2 implements Cgroups {
    private static final long PERIOD_US = 100_000;
    private final Path root;
    private final String scope;

    CgroupV2(Path root, String scope) {
        this.root = root;
        this.scope = scope;
    }

    @Override
    public String version() {
        return "v2";
    }

    /** Where every agent's groups are. */
    private Path steward() {
        return root.resolve("steward");
    }

    /** Where this agent's groups are. */
    private Path base() {
        return steward().resolve(scope);
    }

    /** Makes the controllers available down to {@code dir}'s parent. */
    private void enable(Path dir) throws IOException {
        Path at = root;
        for (Path part : root.relativize(dir.getParent())) {
            delegate(at);
            at = at.resolve(part);
            Files.createDirectories(at);
        }
        delegate(at);
    }

    private static void delegate(Path dir) throws IOException {
        Path control = dir.resolve("cgroup.subtree_control");
        String enabled = Files.readString(control);
        for (String c : List.of("memory", "cpu", "pids")) {
            if (!enabled.contains(c)) CgroupFiles.write(control, "+" + c);
        }
    }

    @Override
    public void check() throws IOException {
        enable(base().resolve("check"));
        CgroupFiles.removeUpTo(base(), steward());
    }

    @Override
    public Cgroup create(String service, String instance, Resources limits) throws IOException {
        Group g = new Group(service, instance);
        enable(g.dir());
        Files.createDirectories(g.dir());
        if (limits.memoryBytes() > 0) {
            CgroupFiles.write(g.dir().resolve("memory.max"), Long.toString(limits.memoryBytes()));
            Path swap = g.dir().resolve("memory.swap.max");
            if (Files.exists(swap)) CgroupFiles.write(swap, "0");
        }
        if (limits.cpu() > 0) CgroupFiles.write(g.dir().resolve("cpu.max"), Math.max(1000, Math.round(limits.cpu() * PERIOD_US)) + " " + PERIOD_US);
        if (limits.pids() > 0) CgroupFiles.write(g.dir().resolve("pids.max"), Integer.toString(limits.pids()));
        return g;
    }

    @Override
    public Optional<Cgroup> find(String service, String instance) {
        Group g = new Group(service, instance);
        return Files.isDirectory(g.dir()) ? Optional.of(g) : Optional.empty();
    }

    @Override
    public List<Cgroup> all() {
        List<Cgroup> out = new ArrayList<>();
        for (Path p : CgroupFiles.instances(base())) out.add(new Group(p.getParent().getFileName().toString(), p.getFileName().toString()));
        return out;
    }

    private final class Group implements Cgroup {
        private final String service;
        private final String instance;

        Group(String service, String instance) {
            this.service = service;
            this.instance = instance;
        }

        Path dir() {
            return base().resolve(service).resolve(instance);
        }

        @Override
        public String name() {
            return service + "/" + instance;
        }

        @Override
        public List<Path> procsFiles() {
            return List.of(dir().resolve("cgroup.procs"));
        }

        @Override
        public void freeze() throws IOException {
            CgroupFiles.write(dir().resolve("cgroup.freeze"), "1");
            for (int i = 0; i < 200 && CgroupFiles.keyed(dir().resolve("cgroup.events"), "frozen") != 1; i++) CgroupV1.sleep();
        }

        @Override
        public void thaw() throws IOException {
            CgroupFiles.write(dir().resolve("cgroup.freeze"), "0");
        }

        @Override
        public Usage usage() {
            long usec = CgroupFiles.keyed(dir().resolve("cpu.stat"), "usage_usec");
            return new Usage(usec < 0 ? -1 : usec * 1000, CgroupFiles.readLong(dir().resolve("memory.current")),
                    CgroupFiles.readLong(dir().resolve("memory.peak")), CgroupFiles.readLong(dir().resolve("pids.current")));
        }

        @Override
        public long oomKills() {
            return Math.max(0, CgroupFiles.keyed(dir().resolve("memory.events"), "oom_kill"));
        }

        @Override
        public List<Long> pids() {
            return CgroupFiles.pids(dir().resolve("cgroup.procs"));
        }

        @Override
        public void killAll() {
            Path kill = dir().resolve("cgroup.kill");
            try {
                if (Files.exists(kill)) CgroupFiles.write(kill, "1");
                thaw();
            } catch (IOException ignored) {
                // fall back to signalling each process
            }
            CgroupFiles.killAndWait(this::pids);
        }

        @Override
        public void remove() {
            CgroupFiles.removeUpTo(dir(), steward());
        }
    }
}
