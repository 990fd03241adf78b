package dev.steward.agent.isolate;

/**
 * How an instance ended: an exit code, a signal, or unknown (an adopted instance is not the agent's
 * child, so its status cannot be read).
 */
public sealed interface ExitStatus {
    String describe();

    /** Whether the end was a clean exit 0. */
    default boolean clean() {
        return this instanceof Code c && c.code() == 0;
    }

    record Code(int code) implements ExitStatus {
        public String describe() {
            return "exit status " + code;
        }
    }

    record Signal(int signal) implements ExitStatus {
        public String describe() {
            return "killed by signal " + signal + (signal == 9 ? " (SIGKILL)" : signal == 15 ? " (SIGTERM)" : "");
        }
    }

    /** The kernel killed the instance at its memory limit. */
    record OutOfMemory(ExitStatus as) implements ExitStatus {
        public String describe() {
            return "out of memory (killed at its memory limit; " + as.describe() + ")";
        }
    }

    record Unknown() implements ExitStatus {
        public String describe() {
            return "exited (status unknown: the instance was adopted)";
        }
    }

    /** Reads the JDK's exit value, where 128+N means the process died of signal N. */
    static ExitStatus ofJdk(int value) {
        return value > 128 && value < 160 ? new Signal(value - 128) : new Code(value);
    }
}
