package dev.steward.agent.net;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;

/**
 * Opening a listener named after the flag that chose its address, so that a port already taken is
 * reported as {@code --gateway 127.0.0.1:8080 is in use} rather than as the socket library's error.
 */
public final class Listening {
    private Listening() {}

    /** Runs {@code open}; an address already in use becomes an {@link IllegalStateException} naming {@code flag}. */
    public static <T> T open(String flag, InetSocketAddress address, Callable<T> open) throws java.io.IOException {
        try {
            return open.call();
        } catch (Exception e) {
            if (inUse(e)) throw new IllegalStateException(flag + " " + address.getHostString() + ":" + address.getPort()
                    + " is in use (another agent or program listens there; give " + flag + " another address, or port 0 for any)", e);
            if (e instanceof java.io.IOException io) throw io;
            if (e instanceof RuntimeException r) throw r;
            throw new IllegalStateException(flag + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code e}, or what caused it, says the address is taken. */
    static boolean inUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BindException) return true;
            String m = t.getMessage();
            if (m != null && m.contains("Address already in use")) return true;
        }
        return false;
    }
}
