package dev.steward.model;

/** The runtimes a function may name in {@code function.yaml}. */
public enum FunctionRuntime {
    PYTHON, NODE, JAVA, SHELL;

    public String wire() {
        return name().toLowerCase();
    }

    public static FunctionRuntime of(String s) {
        for (FunctionRuntime r : values()) if (r.wire().equals(s)) return r;
        throw new IllegalArgumentException("'" + s + "' is not a runtime (expected: python, node, java or shell)");
    }
}
