package dev.steward.model;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The definition of a service, app, function or job, validated. Build one with {@link SpecParser}.
 *
 * @param dir      the absolute working directory, or null for the agent's data dir
 * @param ping     the health check, or null for none (a job)
 * @param pingOnly the external endpoint of a ping-only service, or null
 * @param route    how the gateway reaches it, or null for the default {@code /<name>}
 * @param administrators the token names that may change or stop it besides its owner and admin tokens
 * @param placement where its instances may run in a cluster (node labels, spread, affinity, anti-affinity)
 * @param parts    a dynamic service's parts, entrypoint and data folders, or null for a service of one command
 */
public record Spec(
        Kind kind,
        String name,
        List<String> command,
        String dir,
        Map<String, String> env,
        IsolateSpec isolate,
        String image,
        Resources resources,
        PolicyKind policy,
        Instances instances,
        Duration linger,
        RestartPolicy restart,
        Ping ping,
        URI pingOnly,
        Route route,
        List<String> needs,
        List<String> administrators,
        Placement placement,
        Parts parts) {

    public Spec {
        Objects.requireNonNull(kind, "kind");
        Names.require(name);
        command = List.copyOf(command);
        env = Map.copyOf(env);
        Objects.requireNonNull(isolate, "isolate");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(instances, "instances");
        Objects.requireNonNull(linger, "linger");
        Objects.requireNonNull(restart, "restart");
        needs = List.copyOf(needs);
        administrators = administrators == null ? List.of() : List.copyOf(administrators);
        if (placement == null) placement = Placement.ANY;
    }

    /** Whether it is made of parts, each instance opened by hand ({@code steward service open}). */
    public boolean hasParts() {
        return parts != null;
    }

    public boolean isPingOnly() {
        return pingOnly != null;
    }

    /** Whether instances get a {@code PORT}: services that run (not jobs, not ping-only). */
    public boolean hasPort() {
        return kind == Kind.SERVICE && !isPingOnly();
    }
}
