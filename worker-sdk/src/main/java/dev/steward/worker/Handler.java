package dev.steward.worker;

/** Handles one event: reads the request, writes the reply. An exception becomes an error reply. */
@FunctionalInterface
public interface Handler {
    void handle(Request request, Response response) throws Exception;
}
