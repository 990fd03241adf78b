package dev.steward.agent.instance;

import java.util.Map;

/** The instance's own environment ({@code PORT}, {@code STEWARD_*}: {@code STEWARD_HOST} is the address to listen on), and its port given back when it is gone. */
final class Environment implements InstanceHook {
    @Override
    public void prestart(InstanceRunner i, Map<String, String> env) {
        if (i.port() > 0) env.put("PORT", Integer.toString(i.port()));
        env.put("STEWARD_HOST", i.context().ports().host());
        env.put("STEWARD_SERVICE", i.service());
        env.put("STEWARD_INSTANCE", i.id());
        env.put("STEWARD_NODE", i.context().node());
    }

    @Override
    public void removed(InstanceRunner i) {
        if (i.port() > 0) i.context().ports().release(i.port());
    }
}
