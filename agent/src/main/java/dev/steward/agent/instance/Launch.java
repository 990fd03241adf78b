package dev.steward.agent.instance;

import dev.steward.model.Spec;
import java.util.HashMap;
import java.util.Map;

/** How a spec becomes a spawn: the isolate's options, and the agent's environment under the instance's. */
public final class Launch {
    private Launch() {}

    /** The isolate's options: the image for the container isolate, the user (the spec's or the default) for the others. */
    public static Map<String, String> isolateOptions(Spec spec, dev.steward.agent.isolate.RunAs runAs) {
        Map<String, String> o = new HashMap<>(spec.isolate().options());
        if (spec.image() != null) o.put("image", spec.image());
        String user = runAs.userOf(spec);
        if (user != null) o.put("user", user);
        return o;
    }

    /** The agent's environment with {@code env} on top, for expanding {@code ${NAME}} in a command. */
    public static Map<String, String> merged(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(System.getenv());
        all.putAll(env);
        return all;
    }
}
