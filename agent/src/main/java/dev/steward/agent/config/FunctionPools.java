package dev.steward.agent.config;

import dev.steward.model.Durations;
import dev.steward.model.FunctionRuntime;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The warm pools of functions' generic workers: how many paused workers each runtime keeps ready
 * ({@code --fn-pool python=2,node=2,java=1}; python and shell share the python worker, so their pool is
 * the larger of the two), and how long a runtime's pool stays filled without a call ({@code --fn-pool-idle}).
 */
public record FunctionPools(Map<FunctionRuntime, Integer> sizes, Duration idle) {
    /** Two paused workers each for python (and shell) and node, one for java (a JVM is larger); emptied after ten minutes unused. */
    public static final FunctionPools DEFAULT = new FunctionPools(Map.of(FunctionRuntime.PYTHON, 2, FunctionRuntime.SHELL, 2, FunctionRuntime.NODE, 2,
            FunctionRuntime.JAVA, 1), Duration.ofMinutes(10));

    public FunctionPools {
        sizes = Map.copyOf(sizes);
        if (idle.isZero() || idle.isNegative()) throw new IllegalArgumentException("--fn-pool-idle: " + Durations.format(idle) + " (expected: more than 0)");
    }

    /** {@code RUNTIME=N[,RUNTIME=N...]} over the defaults; every problem names the option. */
    public static FunctionPools parse(String sizes, String idle) {
        Map<FunctionRuntime, Integer> m = new EnumMap<>(FunctionRuntime.class);
        m.putAll(DEFAULT.sizes());
        if (sizes != null && !sizes.isBlank()) {
            for (String part : sizes.split(",")) {
                String[] kv = part.strip().split("=", 2);
                FunctionRuntime r;
                try {
                    r = FunctionRuntime.of(kv[0].strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--fn-pool: " + e.getMessage());
                }
                int n;
                try {
                    n = kv.length == 2 ? Integer.parseInt(kv[1].strip()) : -1;
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 0 || n > 64) throw new IllegalArgumentException("--fn-pool: '" + part.strip() + "' (expected: RUNTIME=N with N 0-64)");
                m.put(r, n);
            }
        }
        Duration d;
        try {
            d = idle == null ? DEFAULT.idle() : Durations.parse(idle);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--fn-pool-idle: " + e.getMessage());
        }
        return new FunctionPools(m, d);
    }
}
