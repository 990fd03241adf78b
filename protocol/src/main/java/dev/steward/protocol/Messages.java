package dev.steward.protocol;

/** Message ids and error codes of the protocol. */
public final class Messages {
    private Messages() {}

    // replies, shared by every service and by workers
    public static final int CHUNK = 4;
    public static final int ERROR = 5;
    public static final int CHOKE = 6;

    // worker <-> agent
    public static final int HANDSHAKE = 0;
    public static final int HEARTBEAT = 1;
    public static final int TERMINATE = 2;
    public static final int INVOKE = 3;

    // locator
    public static final int RESOLVE = 0;
    public static final int SYNCHRONIZE = 1;
    public static final int REPORTS = 2;
    public static final int REFRESH = 3;

    // node service
    public static final int START_APP = 0;
    public static final int PAUSE_APP = 1;
    public static final int LIST = 2;

    // an app's service
    public static final int ENQUEUE = 0;
    public static final int INFO = 1;

    // logging service
    public static final int EMIT = 0;
    public static final int VERBOSITY = 1;

    // error codes
    public static final int INVOCATION_ERROR = 1;
    public static final int RESOURCE_ERROR = 2;
    public static final int TIMEOUT_ERROR = 3;
    public static final int DEADLINE_ERROR = 4;
    /** What was named (a function) does not exist. */
    public static final int NOT_FOUND_ERROR = 5;
    /** Too many invocations wait already (a function's queue-limit): try again later. */
    public static final int OVERLOADED_ERROR = 6;

    // terminate codes
    public static final int TERMINATE_NORMAL = 1;
    public static final int TERMINATE_ABNORMAL = 2;
}
