package dev.steward.agent.isolate;

import dev.steward.agent.isolate.os.LibC;
import dev.steward.agent.isolate.os.Signals;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sees the exit of processes that are not the agent's children (instances adopted after an agent
 * restart) when it happens: one pidfd per process, all in one epoll set, waited on by one thread.
 */
public final class ExitWatcher implements AutoCloseable {
    private static final int EVENT_SIZE = Platform.isIntel() && Platform.is64Bit() ? 12 : 16;
    private static final int DATA_OFFSET = EVENT_SIZE == 12 ? 4 : 8;

    private final int epfd;
    private final Map<Integer, Watch> watches = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    private record Watch(int pidfd, long pid, boolean child, CompletableFuture<ExitStatus> exited) {}

    public ExitWatcher() {
        epfd = LibC.INSTANCE.epoll_create1(0);
        if (epfd < 0) throw new IllegalStateException("epoll_create1 failed: errno " + Native.getLastError());
        thread = Thread.ofPlatform().name("steward-exit-watcher").daemon().start(this::loop);
    }

    /** Completes when {@code pid}, not a child of the agent, exits; at once when it has already gone. */
    public CompletableFuture<ExitStatus> watch(long pid) {
        return watch(pid, false);
    }

    /**
     * Completes when {@code pid} exits; a child of the agent is then reaped and its status given,
     * any other process's status is unknown.
     */
    public CompletableFuture<ExitStatus> watch(long pid, boolean child) {
        CompletableFuture<ExitStatus> exited = new CompletableFuture<>();
        int pidfd = (int) LibC.INSTANCE.syscall(LibC.SYS_PIDFD_OPEN, (int) pid, 0);
        if (pidfd < 0) {
            exited.complete(child ? Spawner.reap(pid) : new ExitStatus.Unknown());
            return exited;
        }
        watches.put(pidfd, new Watch(pidfd, pid, child, exited));
        try (Memory ev = new Memory(EVENT_SIZE)) {
            ev.clear();
            ev.setInt(0, LibC.EPOLLIN);
            ev.setLong(DATA_OFFSET, pidfd);
            if (LibC.INSTANCE.epoll_ctl(epfd, LibC.EPOLL_CTL_ADD, pidfd, ev) != 0) {
                watches.remove(pidfd);
                LibC.INSTANCE.close(pidfd);
                throw new IllegalStateException("epoll_ctl failed: errno " + Native.getLastError());
            }
        }
        return exited;
    }

    /**
     * Runs the native calls of a watch once on the agent's own process (its pidfd opened, taken out of the set it is
     * not in, and closed), so that the first instance's watch does not pay their first use. Whether the pidfd was opened.
     */
    public boolean warmUp() {
        int pidfd = (int) LibC.INSTANCE.syscall(LibC.SYS_PIDFD_OPEN, (int) ProcessHandle.current().pid(), 0);
        if (pidfd < 0) return false;
        try (Memory ev = new Memory(EVENT_SIZE)) {
            ev.clear();
            LibC.INSTANCE.epoll_ctl(epfd, LibC.EPOLL_CTL_DEL, pidfd, ev); // ENOENT: it was never added
        } finally {
            LibC.INSTANCE.close(pidfd);
        }
        return true;
    }

    private void loop() {
        int max = 64;
        try (Memory events = new Memory((long) EVENT_SIZE * max)) {
            while (!closed) {
                int n = LibC.INSTANCE.epoll_wait(epfd, events, max, 100);
                for (int i = 0; i < n; i++) {
                    int pidfd = (int) events.getLong((long) i * EVENT_SIZE + DATA_OFFSET);
                    Watch w = watches.remove(pidfd);
                    if (w == null) continue;
                    LibC.INSTANCE.epoll_ctl(epfd, LibC.EPOLL_CTL_DEL, pidfd, null);
                    LibC.INSTANCE.close(pidfd);
                    w.exited().complete(w.child() ? Spawner.reap(w.pid()) : new ExitStatus.Unknown());
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watches.values().forEach(w -> LibC.INSTANCE.close(w.pidfd()));
        watches.clear();
        LibC.INSTANCE.close(epfd);
    }
}
