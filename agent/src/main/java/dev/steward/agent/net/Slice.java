package dev.steward.agent.net;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ThreadFactory;

/**
 * A short scheduling slice for the gateway's event loops. Linux's EEVDF scheduler (6.12 and later) lets a
 * thread ask for a shorter slice than the default: it gets no more CPU than before, but when it wakes (a
 * request arrives) its deadline comes sooner, so it runs ahead of threads that are in the middle of long
 * stretches of work (a container engine creating containers, the agent's own control plane). Older
 * kernels keep the value and ignore it; other systems are not asked.
 */
public final class Slice {
    /** {@code sched_getattr} and {@code sched_setattr} on x86-64. */
    private static final long GET = 315;
    private static final long SET = 314;
    /** {@code struct sched_attr} as far as {@code sched_util_max}; {@code sched_runtime} is at 24. */
    private static final int SIZE = 56;
    private static final int RUNTIME = 24;

    private Slice() {}

    /** Asks for a slice of {@code nanos} for the calling thread, keeping its policy and nice value; whether it was granted. */
    public static boolean request(long nanos) {
        if (nanos <= 0 || !Platform.isLinux() || !Platform.isIntel() || !Platform.is64Bit()) return false;
        try (Memory attr = new Memory(SIZE)) {
            attr.clear();
            Function syscall = Function.getFunction(Platform.C_LIBRARY_NAME, "syscall");
            if (syscall.invokeInt(new Object[] {GET, 0L, attr, (long) SIZE, 0L}) != 0) return false;
            if (attr.getInt(4) != 0) return false; // only the default policy (SCHED_OTHER) has slices
            attr.setInt(0, SIZE);
            attr.setLong(RUNTIME, nanos);
            return syscall.invokeInt(new Object[] {SET, 0L, attr, 0L}) == 0;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** The calling thread's slice as the kernel keeps it (0: the default), or -1 when it cannot be read. */
    public static long current() {
        if (!Platform.isLinux() || !Platform.isIntel() || !Platform.is64Bit()) return -1;
        try (Memory attr = new Memory(SIZE)) {
            attr.clear();
            Function syscall = Function.getFunction(Platform.C_LIBRARY_NAME, "syscall");
            return syscall.invokeInt(new Object[] {GET, 0L, attr, (long) SIZE, 0L}) == 0 ? attr.getLong(RUNTIME) : -1;
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /** Netty's daemon thread factory, whose threads ask for a slice of {@code nanos} first (none when 0). */
    public static ThreadFactory threads(String name, long nanos) {
        return new DefaultThreadFactory(name, true) {
            @Override
            protected Thread newThread(Runnable r, String threadName) {
                return super.newThread(() -> {
                    request(nanos);
                    r.run();
                }, threadName);
            }
        };
    }
}
