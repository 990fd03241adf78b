package dev.steward.agent.gateway;

import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Backends;
import dev.steward.agent.traffic.Endpoint;
import dev.steward.agent.traffic.Readiness;
import dev.steward.model.ServiceState;
import dev.steward.model.Spec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's path of a start on demand, run once when the agent starts, off any request's path: a
 * request through the front door to a stand-in service at zero (held, the stand-in "started" and told
 * ready, a new connection, the response relayed), then more on each event loop, new and kept-alive
 * connections to it, so that the first real start
 * on demand does not pay the path's first run (class initialisation, call sites linked, the first upstream
 * connection of the transport). The stand-in is a loopback socket of this JVM answering a fixed 200; it is
 * routable only under a name no service can have ({@link #NAME}), for the few milliseconds of the run, and
 * never counted or logged.
 */
final class WarmUp implements Backends, Backend {
    /** Service names start with a letter or a digit: none is this one. */
    static final String NAME = ".steward-warm-up";
    private static final Spec SPEC = dev.steward.model.SpecParser.parse(
            "name: steward-warm-up\ncommand: [\"true\"]\npolicy: on-demand\nping: {tcp: true}\n", null).spec();
    private static final byte[] ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
            .getBytes(StandardCharsets.ISO_8859_1);

    private volatile boolean over;
    private volatile Endpoint instance;
    private volatile int port;
    private volatile long version = 1;
    private final java.util.Set<Readiness.Waiter> waiting = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Runs the two requests through the gateway at {@code gatewayPort}; the stand-in is gone after, whatever happened. */
    void run(int gatewayPort) {
        java.util.Queue<Socket> accepted = new java.util.concurrent.ConcurrentLinkedQueue<>();
        try (ServerSocket stand = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            port = stand.getLocalPort();
            Thread.ofVirtual().name("steward-warm-up").start(() -> serve(stand, accepted));
            // two client connections, which the gateway gives to its event loops in turn: the first request is held
            // and "starts" the stand-in; then each loop connects to it anew, and reuses that connection
            try (Socket one = client(gatewayPort); Socket two = client(gatewayPort)) {
                exchange(one);
                exchange(two);
                exchange(two);
                exchange(one);
            }
        } catch (IOException | RuntimeException e) {
            // a warm-up only: the agent serves all the same
        } finally {
            over = true;
            instance = null;
            version++;
            for (Socket s : accepted) { // the gateway's kept-alive connection to the stand-in ends with it
                try {
                    s.close();
                } catch (IOException e) {
                    // closed already
                }
            }
        }
    }

    private static Socket client(int gatewayPort) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gatewayPort), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static void exchange(Socket client) throws IOException {
        client.getOutputStream().write(("GET /" + NAME + "/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        readAnswer(client.getInputStream());
    }

    /** The stand-in instance: answers every request on each connection it is given. */
    private static void serve(ServerSocket stand, java.util.Queue<Socket> accepted) {
        while (!stand.isClosed()) {
            try {
                Socket s = stand.accept();
                accepted.add(s);
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        s.setSoTimeout(5000);
                        while (readHead(s.getInputStream())) s.getOutputStream().write(ANSWER);
                    } catch (IOException e) {
                        // the gateway closed it
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads a request head (the requests carry no body); false at the connection's end. */
    private static boolean readHead(InputStream in) throws IOException {
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) return false;
            state = b == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : (b == '\r' ? 1 : 0);
        }
        return true;
    }

    /** Reads the gateway's answer: a head, then the body its Content-Length gives (the stand-in's two bytes). */
    private static void readAnswer(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("the gateway closed the warm-up's connection");
            head.append((char) b);
            state = b == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : (b == '\r' ? 1 : 0);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^content-length: *(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        in.readNBytes(length);
    }

    // ---- as the gateway's backends: this one alone, while the run lasts -------------------------

    @Override
    public Optional<Backend> find(String name) {
        return !over && NAME.equals(name) ? Optional.of(this) : Optional.empty();
    }

    @Override
    public Collection<? extends Backend> all() {
        return over ? List.of() : List.of(this);
    }

    @Override
    public long version() {
        return version;
    }

    // ---- as a service at zero that starts at its first reference --------------------------------

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Spec spec() {
        return SPEC;
    }

    @Override
    public List<Endpoint> ready() {
        Endpoint e = instance;
        return e == null ? List.of() : List.of(e);
    }

    @Override
    public ServiceState state() {
        return instance == null ? ServiceState.STOPPED : ServiceState.AVAILABLE;
    }

    /** The first reference "starts" it: ready at once, and the held request told as by a first passed ping. */
    @Override
    public void use() {
        if (instance != null || over) return;
        Endpoint e = new Endpoint(NAME, "127.0.0.1", port);
        instance = e;
        for (Readiness.Waiter w : waiting) {
            if (waiting.remove(w)) w.passed(e);
        }
    }

    @Override
    public void release() {}

    @Override
    public void wake() {}

    @Override
    public void awaitPassed(Readiness.Waiter w) {
        waiting.add(w);
    }

    @Override
    public void leavePassed(Readiness.Waiter w) {
        waiting.remove(w);
    }

    @Override
    public Optional<Endpoint> awaitReady(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (instance == null && !over && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Optional.ofNullable(instance);
    }

    @Override
    public int live() {
        return instance == null ? 0 : 1;
    }

    @Override
    public int scaled() {
        return 0;
    }

    @Override
    public void scaleTo(int n) {}
}
