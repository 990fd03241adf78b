package dev.steward.agent.gateway;

import dev.steward.agent.scale.Autoscaler;
import dev.steward.agent.scale.Demand;
import dev.steward.agent.net.Transport;
import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Backends;
import dev.steward.agent.traffic.Endpoint;
import dev.steward.agent.traffic.InFlight;
import dev.steward.agent.traffic.Reach;
import dev.steward.agent.tls.TlsPair;
import dev.steward.model.PolicyKind;
import dev.steward.model.Route;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP gateway, on Netty, relaying HTTP/1.x as bytes (see {@link MessageReader} and {@link Heads}): finds the service by host or path prefix, picks a ready instance (see
 * {@link Balancer}), and relays the request and the response as they stream (see {@link Exchange}),
 * over pooled keep-alive connections owned by each event loop. A service with no ready instance
 * that may start on demand is started and the request held, in a bounded queue, until an instance
 * is ready or {@link Settings#hold()} passes (then 503 with a reason and Retry-After).
 *
 * <p>Everything about one client connection, its exchanges and the upstream connections they use
 * happens on that connection's event loop; the state shared between loops (in-flight counts,
 * latencies, demand, the routing table) is concurrent.
 */
public final class Gateway implements AutoCloseable {
    public static final String INSTANCE_HEADER = "x-steward-instance";

    /**
     * How the gateway behaves.
     *
     * @param maxHeld   requests held per service while it starts; past it, 503
     * @param idle      how long an idle client connection is kept open
     * @param maxHeader the largest request line and header block (414 and 431 above)
     * @param tls       the pair the gateway serves HTTPS with; null: plain HTTP
     */
    public record Settings(InetSocketAddress address, String domain, Duration hold, int maxHeld, Duration idle, int maxHeader, TlsPair tls) {
        /**
         * The defaults: a request held up to 30 s ({@code -Dsteward.gateway.hold=DURATION}), 10,000 held per service
         * ({@code -Dsteward.gateway.max-held=N}), idle connections closed after 75 s, 16 KiB of headers.
         */
        public static Settings defaults(InetSocketAddress address, String domain, TlsPair tls) {
            Duration hold = dev.steward.model.Durations.parse(System.getProperty("steward.gateway.hold", "30s"));
            int maxHeld = Integer.getInteger("steward.gateway.max-held", 10_000);
            return new Settings(address, domain, hold, maxHeld, Duration.ofSeconds(75), 16 * 1024, tls);
        }
    }

    /** One request as the gateway reports it: to metrics and to the access log. */
    public record Served(String service, String client, String method, String uri, String protocol, int status, long nanos,
                         long bytes, String instance) {}

    /** What the gateway reports of each request. */
    public interface Observer {
        void served(Served s);
    }

    final Settings settings;
    final Backends sup;
    private final WarmUp warmUp = new WarmUp();
    final InFlight inFlight;
    /** Connections being opened to each instance, bounded by the route; exchanges past the bound wait there. */
    final Opening opening = new Opening();
    final Demand demand;
    final Latencies latencies = new Latencies();
    /** Other nodes' instances and the round trip to them ({@link Reach#NONE} alone). */
    final Reach reach;
    final Observer observer;
    /**
     * The gateway's buffers come from Netty's pooled allocator: on this path it measured faster than
     * the adaptive default of Netty 4.2, and it takes memory only once traffic flows (the rest of the
     * agent keeps the default, which holds less when idle).
     */
    public static final io.netty.buffer.PooledByteBufAllocator ALLOCATOR = io.netty.buffer.PooledByteBufAllocator.DEFAULT;
    /** Running apps by name: {@code /<app>/<event>} where no service has the path. */
    private final java.util.function.Function<String, java.util.Optional<? extends dev.steward.agent.engine.Invocable>> apps;

    java.util.Optional<? extends dev.steward.agent.engine.Invocable> app(String name) {
        return apps.apply(name);
    }
    private final Autoscaler scaler;
    private final EventLoopGroup bosses;
    private final EventLoopGroup loops;
    final Class<? extends SocketChannel> socketClass;
    /** The io_uring buffer ring the gateway's connections read into (see {@link Transport#withReadRing}); 0 when none. */
    final short readGroup;
    private final String transport;
    private final Channel listener;
    private final Map<String, AtomicInteger> held = new ConcurrentHashMap<>();
    private final AtomicInteger turns = new AtomicInteger();
    /** What the balancer reads, made once rather than per pick. */
    private final java.util.function.ToIntFunction<String> counts;
    private final java.util.function.ToLongFunction<Endpoint> costs = e -> cost(e, System.nanoTime());
    private final FastThreadLocal<UpstreamPool> pools = new FastThreadLocal<>() {
        @Override
        protected UpstreamPool initialValue() {
            return new UpstreamPool(Gateway.this);
        }
    };

    public Gateway(Settings settings, Backends sup, Reach reach, InFlight inFlight, Demand demand, Autoscaler scaler, Observer observer,
                   java.util.function.Function<String, java.util.Optional<? extends dev.steward.agent.engine.Invocable>> apps) {
        this.apps = apps;
        this.reach = reach;
        this.settings = settings;
        this.sup = Backends.joined(sup, warmUp);
        this.inFlight = inFlight;
        this.counts = inFlight::count;
        this.demand = demand;
        this.scaler = scaler;
        this.observer = s -> {
            if (!WarmUp.NAME.equals(s.service())) observer.served(s);
        };
        int threads = Integer.getInteger("steward.gateway.threads", Math.max(1, Runtime.getRuntime().availableProcessors()));
        // -Dsteward.gateway.read-ring=true: io_uring's loops read into a ring of buffers each (multishot receives); off by
        // default, as its CPU per request was not shown lower than the plain reads' (docs/benchmarks.md)
        String wanted = System.getProperty("steward.gateway.transport", "");
        Transport t = Boolean.parseBoolean(System.getProperty("steward.gateway.read-ring", "false"))
                ? Transport.withReadRing(wanted, ALLOCATOR) : Transport.best(wanted);
        // the event loops ask for a short slice (see Slice); -Dsteward.gateway.slice-us=0 leaves the kernel's default
        long slice = Long.getLong("steward.gateway.slice-us", 300) * 1000;
        EventLoopGroup b;
        EventLoopGroup l;
        try {
            // the accepting loop reads nothing: no ring of read buffers for it
            var accepting = t.bufferGroup() != 0 ? Transport.best(t.name()).handlers() : t.handlers();
            b = new MultiThreadIoEventLoopGroup(1, dev.steward.agent.net.Slice.threads("steward-gateway-accept", slice), accepting);
            l = new MultiThreadIoEventLoopGroup(threads, dev.steward.agent.net.Slice.threads("steward-gateway", slice), t.handlers());
        } catch (RuntimeException | LinkageError e) {
            // io_uring said it was there but a ring could not be made (a seccomp filter, a memlock limit): epoll then
            if (t.name().equals("epoll") || t.name().equals("nio")) throw e;
            System.err.println("steward: gateway: " + t.name() + " failed (" + e.getMessage() + "); using epoll");
            t = Transport.best("epoll");
            b = new MultiThreadIoEventLoopGroup(1, dev.steward.agent.net.Slice.threads("steward-gateway-accept", slice), t.handlers());
            l = new MultiThreadIoEventLoopGroup(threads, dev.steward.agent.net.Slice.threads("steward-gateway", slice), t.handlers());
        }
        bosses = b;
        loops = l;
        transport = t.name();
        Class<? extends ServerChannel> serverClass = t.server();
        socketClass = t.socket();
        readGroup = t.bufferGroup();
        SslContext tls = settings.tls() == null ? null : settings.tls().nettyServerContext();
        ServerBootstrap server = new ServerBootstrap();
        if (readGroup != 0) server.childOption(io.netty.channel.uring.IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, readGroup);
        listener = server.group(bosses, loops).channel(serverClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false) // bound now, accepting from accept(): early callers wait in the backlog
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        ch.pipeline().addLast("drains", new dev.steward.agent.net.Drains())
                                .addLast("front", new Frontend(Gateway.this));
                    }
                })
                .bind(settings.address()).syncUninterruptibly().channel();
    }

    /**
     * Starts accepting connections. The gateway binds its port when it is made, so that it can be made
     * while the agent still loads what it routes to; connections made before this wait in the kernel's
     * backlog and are served after it, never answered from a half-loaded table.
     */
    public void accept() {
        listener.config().setAutoRead(true);
    }

    /** The kernel interface the gateway's event loops use: io_uring, epoll or nio. */
    public String transport() {
        return transport;
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /**
     * Runs the path of a start on demand once (see {@link WarmUp}), on the caller's thread; call it once the gateway
     * accepts, off any request's path. Not over TLS, nor in a cluster (the stand-in is no service the scheduler knows),
     * nor with {@code -Dsteward.gateway.warm-up=false}.
     */
    public void warmUp() {
        if (settings.tls() != null || reach != Reach.NONE || !Boolean.parseBoolean(System.getProperty("steward.gateway.warm-up", "true"))) return;
        warmUp.run(port());
    }

    // ---- what exchanges ask of the gateway -------------------------------------------------

    private record Table(long version, List<Router.Target> targets) {}

    private volatile Table table = new Table(-1, List.of());

    /** Where a request goes (null: nowhere); the routing table is rebuilt only when a spec changed. */
    Router.Match route(String host, String uri) {
        Table t = table;
        long v = sup.version();
        if (t.version() != v) {
            t = new Table(v, sup.all().stream().map(c -> new Router.Target(c.name(), c.spec().route())).toList());
            table = t;
        }
        return Router.find(t.targets(), host, uri, settings.domain());
    }

    Backend backend(String service) {
        return sup.find(service).orElse(null);
    }

    static Route routeOf(Backend c) {
        Route r = c.spec().route();
        return r == null ? Route.DEFAULT : r;
    }

    /** On-demand and lingering services stay up while requests use them: each request is a reference. */
    static boolean referencedByRequests(Backend c) {
        PolicyKind p = c.spec().policy();
        return p == PolicyKind.ON_DEMAND || p == PolicyKind.LINGERING;
    }

    static boolean startsOnDemand(Backend c) {
        PolicyKind p = c.spec().policy();
        return (p == PolicyKind.ON_DEMAND || p == PolicyKind.LINGERING || p == PolicyKind.DYNAMIC) && !c.spec().isPingOnly()
                && c.state() != dev.steward.model.ServiceState.DISABLED;
    }

    /**
     * A ready instance for {@code c}, of this node or another, other than {@code not}; null when none is ready.
     * When none is under the route's soft latency, one more is asked for: of the autoscaler for a dynamic
     * service alone, of the cluster's scheduler in a cluster.
     */
    Endpoint pick(Backend c, Route route, String not) {
        List<Endpoint> ready = readyAnywhere(c);
        if (ready.isEmpty()) return null;
        int turn = ready.size() == 1 ? 0 : turns.getAndIncrement(); // one instance: no turn to take (a counter all loops share)
        Balancer.Pick p = Balancer.pick(ready, route, not, turn, counts, costs);
        if (p == null) return null;
        if (p.wantMore() && !reach.ask(c.name()) && c.spec().policy() == PolicyKind.DYNAMIC) scaler.pressure(c.name());
        return p.endpoint();
    }

    /** This node's ready instances of {@code c}, then other nodes'. */
    List<Endpoint> readyAnywhere(Backend c) {
        List<Endpoint> here = c.ready();
        List<Endpoint> there = reach.elsewhere(c.name());
        if (there.isEmpty()) return here;
        if (here.isEmpty()) return there;
        List<Endpoint> all = new java.util.ArrayList<>(here.size() + there.size());
        all.addAll(here);
        all.addAll(there);
        return all;
    }

    /** The round trip to the instance's node plus its own recent latency; -1 when neither is known. */
    private long cost(Endpoint e, long now) {
        long own = latencies.recent(e.instance(), now);
        long rtt = e.local() ? 0 : reach.rttNanos(e.node());
        if (own < 0 && rtt <= 0) return -1;
        return Math.max(0, own) + Math.max(0, rtt);
    }

    /** A response head came {@code nanos} after its request went out: the instance's own latency is that less the round trip. */
    void measured(Endpoint e, long nanos, long now) {
        long rtt = e.local() ? 0 : reach.rttNanos(e.node());
        latencies.record(e.instance(), Math.max(0, nanos - Math.max(0, rtt)), now);
    }

    /** Takes a place in the service's hold queue; false when it is full. */
    boolean hold(String service) {
        AtomicInteger waiting = held.computeIfAbsent(service, k -> new AtomicInteger());
        if (waiting.incrementAndGet() > settings.maxHeld()) {
            waiting.decrementAndGet();
            return false;
        }
        return true;
    }

    void unhold(String service) {
        held.get(service).decrementAndGet();
    }

    /** The upstream connection pool of the calling event loop. */
    private final FastThreadLocal<HeadDeadlines> deadlines = new FastThreadLocal<>() {
        @Override
        protected HeadDeadlines initialValue() {
            HeadDeadlines d = new HeadDeadlines();
            io.netty.channel.EventLoop loop = (io.netty.channel.EventLoop) io.netty.util.internal.ThreadExecutorMap.currentExecutor();
            loop.scheduleWithFixedDelay(() -> d.sweep(System.nanoTime()), HeadDeadlines.TICK_MILLIS, HeadDeadlines.TICK_MILLIS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            return d;
        }
    };

    /** The calling event loop's exchanges waiting for a response head (its sweep starts with its first). */
    HeadDeadlines deadlines() {
        return deadlines.get();
    }

    UpstreamPool pool() {
        return pools.get();
    }

    @Override
    public void close() {
        // the listener's close finishes on its loop before that loop ends (else Netty warns, with a stack trace, that it could not)
        listener.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        bosses.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
        loops.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
    }
}
