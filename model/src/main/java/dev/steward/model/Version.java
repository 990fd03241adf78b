package dev.steward.model;

/** Steward's version: the CLI's and the agent's, which are built together. */
public final class Version {
    public static final String CURRENT = "0.1.0";

    private Version() {}
}
