package dev.steward.cli;

/**
 * Ends a command with a message on stderr and an exit code: 1 failure, 2 usage or invalid input, 3 not
 * found. One made from the agent's answer keeps its HTTP status.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final int NOT_FOUND = 3;
    private final int exitCode;
    private final int status;

    CliException(int exitCode, String message) {
        this(exitCode, message, 0);
    }

    CliException(int exitCode, String message, int status) {
        super(message);
        this.exitCode = exitCode;
        this.status = status;
    }

    int exitCode() {
        return exitCode;
    }

    /** The agent's HTTP status when the agent refused, else 0. */
    int status() {
        return status;
    }
}
