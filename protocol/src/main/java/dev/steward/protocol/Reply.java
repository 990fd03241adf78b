package dev.steward.protocol;

/** What comes back on a session: chunks, then a choke, with an error before it when the call failed. */
public sealed interface Reply {
    record Chunk(byte[] data) implements Reply {}

    record Error(int code, String message) implements Reply {}

    record Choke() implements Reply {}
}
