package dev.steward.cli;

/** Ends a command with a message on stderr and an exit code: 1 failure, 2 usage or invalid input. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
