package dev.steward.agent.gateway;

import dev.steward.agent.engine.Engine;
import dev.steward.agent.engine.Invocable;
import java.util.Optional;
import java.util.function.Function;

/** What {@code /<first segment>/...} may name where no service has the path: the functions' door ({@code fn}), else a running app. */
public record Doors(Engine engine, Invocable functions) implements Function<String, Optional<? extends Invocable>> {
    @Override
    public Optional<? extends Invocable> apply(String name) {
        return name.equals(functions.name()) ? Optional.of(functions) : engine.app(name);
    }
}
