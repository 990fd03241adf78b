package dev.steward.agent.engine;

import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.model.Resources;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Where an engine may take a worker already started (a pool of paused generic workers) instead of spawning one. */
public interface WorkerSource {
    /** No pool: every worker is spawned. */
    WorkerSource NONE = (program, isolate, resources, env, dir, log) -> Optional.empty();

    /**
     * A started worker of {@code program} in {@code isolate} with {@code resources}, thawed and told
     * {@code env} and {@code dir} (it then connects as that environment says), its log linked to
     * {@code log}; empty when none is ready. Blocks briefly; never on an event loop.
     */
    Optional<InstanceHandle> take(String program, String isolate, Resources resources, Map<String, String> env, Path dir, Path log);
}
