package dev.steward.agent.instance;

import java.util.List;

/** The hooks every service instance has, in the order they run. */
public final class Hooks {
    private Hooks() {}

    public static List<InstanceHook> standard() {
        return List.of(new Environment(), new Stamping(), new StoreRecord(), new HealthChecks(), new Draining());
    }
}
