package dev.steward.agent.instance;

import dev.steward.model.Spec;
import java.util.HashMap;
import java.util.Map;

/** How a spec becomes a spawn: the isolate's options, and the agent's environment under the instance's. */
public final class Launch {
    private Launch() {}

    /** The isolate's options, with the image for the container isolate. */
    public static Map<String, String> isolateOptions(Spec spec) {
        if (spec.image() == null) return spec.isolate().options();
        Map<String, String> o = new HashMap<>(spec.isolate().options());
        o.put("image", spec.image());
        return o;
    }

    /** The agent's environment with {@code env} on top, for expanding {@code ${NAME}} in a command. */
    public static Map<String, String> merged(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(System.getenv());
        all.putAll(env);
        return all;
    }
}
