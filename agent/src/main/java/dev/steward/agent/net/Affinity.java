package dev.steward.agent.net;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPUs a thread may run on ({@code sched_getaffinity}, {@code sched_setaffinity}): lets each of the gateway's
 * event loops keep to one CPU of those the process may use, when asked ({@code -Dsteward.gateway.pin=true}).
 * Linux alone; elsewhere nothing is changed and nothing is known.
 */
public final class Affinity {
    /** Room for 1,024 CPUs, as glibc's {@code cpu_set_t}. */
    private static final int BYTES = 128;

    private Affinity() {}

    /** The CPUs the calling thread may run on, in order; empty when they cannot be read. */
    public static List<Integer> allowed() {
        List<Integer> cpus = new ArrayList<>();
        if (!Platform.isLinux()) return cpus;
        try (Memory mask = new Memory(BYTES)) {
            mask.clear();
            Function get = Function.getFunction(Platform.C_LIBRARY_NAME, "sched_getaffinity");
            if (get.invokeInt(new Object[] {0, (long) BYTES, mask}) != 0) return cpus;
            for (int i = 0; i < BYTES * 8; i++) {
                if ((mask.getByte(i / 8) & (1 << (i % 8))) != 0) cpus.add(i);
            }
            return cpus;
        } catch (RuntimeException | LinkageError e) {
            return cpus;
        }
    }

    /** Keeps the calling thread to {@code cpu} alone; whether the kernel took it. */
    public static boolean pin(int cpu) {
        if (!Platform.isLinux() || cpu < 0 || cpu >= BYTES * 8) return false;
        try (Memory mask = new Memory(BYTES)) {
            mask.clear();
            mask.setByte(cpu / 8, (byte) (1 << (cpu % 8)));
            Function set = Function.getFunction(Platform.C_LIBRARY_NAME, "sched_setaffinity");
            return set.invokeInt(new Object[] {0, (long) BYTES, mask}) == 0;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
