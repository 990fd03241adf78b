package dev.steward.agent.rpc;

import dev.steward.agent.net.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The protocol side of the agent: the locator on the RPC address, and every other service on its
 * own port of the same host, published in the locator ({@code logging} now; {@code node} and one
 * per app with the engine).
 */
public final class Rpc implements AutoCloseable {
    private final EventLoopGroup loops;
    private final Class<? extends ServerChannel> serverClass;
    private final Locator locator = new Locator();
    private final RpcServer locatorServer;
    private final String host;
    private final Map<String, RpcServer> servers = new ConcurrentHashMap<>();
    private final LoggingService logging;

    public Rpc(InetSocketAddress address, Path logs, Clock clock) throws IOException {
        // a light load: epoll (or NIO) is plenty, and it never needs io_uring's fallback
        Transport t = Transport.best("epoll");
        loops = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("steward-rpc", true), t.handlers());
        serverClass = t.server();
        host = address.getHostString();
        locatorServer = new RpcServer(loops, serverClass, address, locator);
        publish(locator, locatorServer.port());
        logging = new LoggingService(logs.resolve("apps.log"), clock);
        serve(logging);
    }

    /** Serves {@code service} on a port of its own and publishes it. */
    public void serve(RpcService service) {
        serve(service, loops);
    }

    /** Serves {@code service} with its connections on {@code children} (an app's own event loop). */
    public void serve(RpcService service, EventLoopGroup children) {
        RpcServer s = new RpcServer(loops, children, serverClass, new InetSocketAddress(host, 0), service);
        RpcServer prior = servers.put(service.name(), s);
        if (prior != null) prior.close();
        publish(service, s.port());
    }

    /**
     * Serves {@code service} on the unix socket {@code path}, not published in the locator (what only
     * the node's own workers call); closing what this returns closes the socket.
     */
    public AutoCloseable serveAt(RpcService service, Path path) throws IOException {
        java.nio.file.Files.createDirectories(path.getParent());
        java.nio.file.Files.deleteIfExists(path);
        boolean e = epoll();
        java.net.SocketAddress address = e ? new io.netty.channel.unix.DomainSocketAddress(path.toFile()) : java.net.UnixDomainSocketAddress.of(path);
        RpcServer s = new RpcServer(loops, loops, e ? io.netty.channel.epoll.EpollServerDomainSocketChannel.class
                : io.netty.channel.socket.nio.NioServerDomainSocketChannel.class, address, service);
        return () -> {
            s.close();
            java.nio.file.Files.deleteIfExists(path);
        };
    }

    /** Takes a service out of the locator and closes its port (a paused app). */
    public void withdraw(String name) {
        RpcServer s = servers.remove(name);
        if (s != null) s.close();
        locator.withdraw(name);
    }

    /** The event loops the protocol runs on; the engine gives each app one of them. */
    public EventLoopGroup loops() {
        return loops;
    }

    /** Whether the loops are epoll's (unix sockets through epoll) rather than NIO's. */
    public boolean epoll() {
        return serverClass.getSimpleName().startsWith("Epoll");
    }

    private void publish(RpcService service, int port) {
        locator.publish(service.name(), new Located(host, port, 1, service.methods()));
    }

    /**
     * In a cluster: the locator answers names served on other nodes too, from {@code others}, and
     * {@code NAME@NODE} for one node's own ({@code node} of this node is {@code node@node}); {@code changes}
     * runs after each change of what this node serves (which the cluster publishes).
     */
    public void reach(String node, Beyond others, Runnable changes) {
        locator.reach(node, others, changes);
    }

    /** What lies beyond this node changed: those who synchronize get the table again. */
    public void beyondChanged() {
        locator.beyondChanged();
    }

    /** What this node serves, by name: the locator itself, logging, node, and each running app and function. */
    public Map<String, Located> served() {
        return locator.local();
    }

    /** The host this node's protocol services are bound to (a wildcard address as it is). */
    public String host() {
        return host;
    }

    public int port() {
        return locatorServer.port();
    }

    /** The locator as a worker on this machine reaches it, {@code HOST:PORT} (a wildcard address as the loopback one). */
    public String locator() {
        String h = host;
        try {
            if (java.net.InetAddress.getByName(h).isAnyLocalAddress()) h = "127.0.0.1";
        } catch (java.net.UnknownHostException e) {
            // a name: given as it is
        }
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + port();
    }

    @Override
    public void close() throws IOException {
        servers.values().forEach(RpcServer::close);
        locatorServer.close();
        logging.close();
        loops.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
    }
}
