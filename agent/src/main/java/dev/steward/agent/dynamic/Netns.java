package dev.steward.agent.dynamic;

import dev.steward.agent.isolate.NodeScope;
import dev.steward.agent.isolate.os.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * An instance's network namespace, named after the agent's scope ({@code steward-SCOPE-UUID}), joined to the
 * machine by a veth pair: a /30 of 10.213.0.0/16 whose route is the claim (two agents never take the same),
 * the host's end at .1, the namespace's {@code eth0} at .2 with no default route, and a rule inside the
 * namespace dropping connections it would open through {@code eth0}. So the parts reach each other on
 * localhost, the gateway reaches the entrypoint at the namespace's address, and the parts reach neither
 * other instances nor the machine.
 */
final class Netns {
    static final Path RUN = Path.of("/run/netns");
    private static final String RULES = """
            table inet steward {
             chain out {
              type filter hook output priority 0; policy accept;
              oifname "eth0" ct state new drop
             }
            }
            """;

    /** A namespace made: its name, the host's end of the veth, and the address the entrypoint is reached at. */
    record Net(String name, String veth, String address) {
        Path path() {
            return RUN.resolve(name);
        }
    }

    private final NodeScope scope;

    Netns(NodeScope scope) {
        this.scope = scope;
    }

    String prefix() {
        return "steward-" + scope.id() + "-";
    }

    /** The names of the spare namespaces, made ahead of the opens ({@link Spares}): another prefix, so no instance's. */
    String sparePrefix() {
        return "stwspare-" + scope.id() + "-";
    }

    /** The host end's name: 15 characters at most, as the kernel wants. */
    static String veth(String uuid) {
        return "stw" + uuid.replace("-", "").substring(0, 12);
    }

    /** Makes the namespace of instance {@code uuid}; on a failure, whatever was made of it is removed. */
    Net create(String uuid) throws IOException {
        return make(prefix() + uuid, veth(uuid));
    }

    /** Makes a spare namespace for the instance that will take {@code uuid} (its veth already named for it). */
    Net createSpare(String uuid) throws IOException {
        return make(sparePrefix() + uuid, veth(uuid));
    }

    /**
     * The spare namespace {@code spare} given to instance {@code uuid}: the same namespace, veth and address under the
     * instance's name ({@code /run/netns/NAME} bound at the new name, the spare's unmounted): two system calls, no process.
     * On a failure the spare is removed.
     */
    Net take(Net spare, String uuid) throws IOException {
        String name = prefix() + uuid;
        Path to = RUN.resolve(name);
        boolean bound = false;
        try {
            Files.createFile(to);
            if (LibC.INSTANCE.mount(spare.path().toString(), to.toString(), null, LibC.MS_BIND, null) != 0) {
                throw new IOException("cannot bind " + spare.path() + " at " + to + ": errno " + com.sun.jna.Native.getLastError());
            }
            bound = true;
            if (LibC.INSTANCE.umount2(spare.path().toString(), LibC.MNT_DETACH) != 0) {
                throw new IOException("cannot unmount " + spare.path() + ": errno " + com.sun.jna.Native.getLastError());
            }
            Files.delete(spare.path());
            return new Net(name, spare.veth(), spare.address());
        } catch (IOException | RuntimeException e) {
            try {
                if (bound) remove(name, spare.veth());
                else Files.deleteIfExists(to);
                remove(spare.name(), spare.veth());
            } catch (IOException | RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    private Net make(String name, String veth) throws IOException {
        Cmd.run(List.of("ip", "netns", "add", name));
        try {
            // few processes: each costs milliseconds of an open (ip's batch mode runs several commands in one)
            Cmd.run(List.of("ip", "-batch", "-"), "link add " + veth + " type veth peer name eth0 netns " + name + "\nlink set " + veth + " up\n");
            String address = claim(veth);
            Cmd.run(List.of("ip", "-n", name, "-batch", "-"), "addr add " + address + "/30 dev eth0\nlink set eth0 up\nlink set lo up\n");
            Cmd.run(List.of("ip", "netns", "exec", name, "nft", "-f", "-"), RULES);
            return new Net(name, veth, address);
        } catch (IOException | RuntimeException e) {
            remove(name, veth);
            throw e;
        }
    }

    /** Takes a free /30 by adding its route (refused when another has it) and gives the host's end .1; the namespace's address. */
    private static String claim(String veth) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 32; attempt++) {
            int block = ThreadLocalRandom.current().nextInt(1, 16384) * 4;
            String base = "10.213." + (block >> 8) + ".";
            int low = block & 0xff;
            try {
                Cmd.run(List.of("ip", "route", "add", base + low + "/30", "dev", veth));
            } catch (IOException e) {
                last = e;
                continue;
            }
            Cmd.run(List.of("ip", "addr", "add", base + (low + 1) + "/30", "dev", veth, "noprefixroute"));
            return base + (low + 2);
        }
        throw new IOException("no free address block in 10.213.0.0/16: " + (last == null ? "" : last.getMessage()));
    }

    boolean exists(String name) {
        return Files.exists(RUN.resolve(name));
    }

    /**
     * Removes the veth (both ends go) and the namespace, killing any process still in it (none after the parts
     * stopped; a leftover's after an agent restart); what is already gone is no failure.
     */
    void remove(String name, String veth) throws IOException {
        if (exists(name)) {
            for (String pid : Cmd.run(List.of("ip", "netns", "pids", name)).split("\\s+")) {
                if (pid.matches("\\d+")) ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        IOException failed = null;
        if (Files.exists(Path.of("/sys/class/net", veth))) {
            try {
                Cmd.run(List.of("ip", "link", "del", veth));
            } catch (IOException e) {
                failed = e;
            }
        }
        if (exists(name)) Cmd.run(List.of("ip", "netns", "del", name));
        if (failed != null && Files.exists(Path.of("/sys/class/net", veth))) throw failed;
    }

    /** The namespaces of this agent's scope, by the UUID they are for. */
    List<String> ours() throws IOException {
        return named(prefix());
    }

    /** The spare namespaces of this agent's scope (a killed agent's), by the UUID they were made for. */
    List<String> spares() throws IOException {
        return named(sparePrefix());
    }

    private static List<String> named(String prefix) throws IOException {
        if (!Files.isDirectory(RUN)) return List.of();
        try (Stream<Path> s = Files.list(RUN)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).map(n -> n.substring(prefix.length())).toList();
        }
    }

    /** Whether namespaces can be made here: root, {@code ip} and {@code nft} present; else why not. */
    static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) return "dynamic services need root (network namespaces)";
        for (String tool : List.of("ip", "nft", "nsenter")) {
            boolean found = Stream.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
                    .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
            if (!found) return "dynamic services need '" + tool + "' on the PATH";
        }
        return null;
    }
}
