package dev.steward.agent.spool;

/** An archive was refused: it names the entry and the reason; nothing of it was left behind. */
public final class SpoolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SpoolException(String message) {
        super(message);
    }

    public SpoolException(String message, Throwable cause) {
        super(message, cause);
    }

    /** What went wrong with a file, without the paths the exception names: for messages that leave the agent. */
    public static String reason(java.io.IOException e) {
        return e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
    }
}
