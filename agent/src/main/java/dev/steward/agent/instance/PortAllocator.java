package dev.steward.agent.instance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/** Chooses free loopback ports for instances and remembers the ones handed out. */
public final class PortAllocator {
    private final Set<Integer> taken = new HashSet<>();
    private final ReentrantLock lock = new ReentrantLock();

    public int allocate() {
        lock.lock();
        try {
            for (int attempt = 0; attempt < 100; attempt++) {
                int port = probe();
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

    private static int probe() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port: " + e.getMessage(), e);
        }
    }
}
