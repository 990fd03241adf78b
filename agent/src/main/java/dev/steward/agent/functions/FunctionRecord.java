package dev.steward.agent.functions;

import java.util.List;

/** A function as stored: its owner and its versions, oldest first (the last is the one invoked). */
public record FunctionRecord(String name, String owner, List<FunctionVersion> versions) {
    public FunctionRecord {
        versions = List.copyOf(versions);
        if (versions.isEmpty()) throw new IllegalArgumentException("versions: none (expected: at least one)");
    }

    public FunctionVersion current() {
        return versions.get(versions.size() - 1);
    }
}
