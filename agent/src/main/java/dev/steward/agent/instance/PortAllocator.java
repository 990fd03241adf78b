package dev.steward.agent.instance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where instances listen: the address they are given ({@code STEWARD_HOST}: loopback alone, the node's
 * advertised address in a cluster, so that other nodes reach them) and free ports on it, remembering the
 * ones handed out.
 */
public final class PortAllocator {
    private final Set<Integer> taken = new HashSet<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final String host;

    /** Ports on loopback. */
    public PortAllocator() {
        this("127.0.0.1");
    }

    /** Ports on {@code host}, an address of this machine. */
    public PortAllocator(String host) {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("instance host: '" + host + "' (expected: an address of this machine)");
        this.host = host;
    }

    /** The address instances listen on, and are reached and pinged at. */
    public String host() {
        return host;
    }

    public int allocate() {
        lock.lock();
        try {
            for (int attempt = 0; attempt < 100; attempt++) {
                int port = probe(host);
                if (taken.add(port)) return port;
            }
            throw new IllegalStateException("no free port found");
        } finally {
            lock.unlock();
        }
    }

    /** Marks a port as in use (an adopted instance's). */
    public void reserve(int port) {
        lock.lock();
        try {
            taken.add(port);
        } finally {
            lock.unlock();
        }
    }

    public void release(int port) {
        lock.lock();
        try {
            taken.remove(port);
        } finally {
            lock.unlock();
        }
    }

    private static int probe(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port: " + e.getMessage(), e);
        }
    }
}
