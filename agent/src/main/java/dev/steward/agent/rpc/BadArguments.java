package dev.steward.agent.rpc;

/** A call whose arguments are not what the method takes: answered with an invocation error naming what is wrong. */
public final class BadArguments extends Exception {
    public BadArguments(String message) {
        super(message);
    }
}
