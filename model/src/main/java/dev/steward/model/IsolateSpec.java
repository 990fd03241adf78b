package dev.steward.model;

import java.util.Map;

/** How an instance is run: {@code process}, {@code sandbox} or {@code container}, with options. */
public record IsolateSpec(String type, Map<String, String> options) {
    public static final IsolateSpec PROCESS = new IsolateSpec("process", Map.of());

    public IsolateSpec {
        options = Map.copyOf(options);
    }
}
