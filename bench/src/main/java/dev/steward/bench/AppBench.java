package dev.steward.bench;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Invoke round trips to an echo app, beside the floor of a bare unix-socket round trip between two
 * processes: {@code floor SOCKET}, {@code tcp HOST PORT APP}, {@code gateway HOST PORT APP}. Each mode
 * prints one line: p50 and p99 of sequential round trips in microseconds, and the rate at
 * saturation ({@code CONNECTIONS x IN_FLIGHT} calls outstanding).
 */
public final class AppBench {
    static final byte[] DATA = "ping-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** One round trip on an open connection. */
    interface RoundTrip extends AutoCloseable {
        void once() throws Exception;

        @Override
        void close() throws Exception;
    }

    interface Opener {
        RoundTrip open() throws Exception;
    }

    private AppBench() {}

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("seconds", "5"));
        int connections = Integer.getInteger("connections", 4);
        int inFlight = Integer.getInteger("inflight", 16);
        Opener opener = switch (args[0]) {
            case "floor" -> () -> new Floor(Path.of(args[1]));
            case "tcp" -> () -> new Tcp(args[1], Integer.parseInt(args[2]), args[3]);
            case "gateway" -> () -> new Gateway(args[1], Integer.parseInt(args[2]), args[3]);
            default -> throw new IllegalArgumentException("floor | tcp | gateway");
        };
        long[] lat = latencies(opener, seconds);
        double rate = args[0].equals("tcp") ? pipelined(args[1], Integer.parseInt(args[2]), args[3], connections, inFlight, seconds)
                : parallel(opener, connections * inFlight, seconds);
        System.out.printf("%s p50_us=%.1f p99_us=%.1f rate=%.0f%n", args[0], lat[lat.length / 2] / 1000.0,
                lat[(int) (lat.length * 0.99)] / 1000.0, rate);
    }

    /** Sequential round trips on one connection: warm-up for a second, then measured. */
    static long[] latencies(Opener opener, double seconds) throws Exception {
        try (RoundTrip rt = opener.open()) {
            long warm = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < warm) rt.once();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long[] out = new long[1 << 20];
            int n = 0;
            while (System.nanoTime() < end && n < out.length) {
                long t0 = System.nanoTime();
                rt.once();
                out[n++] = System.nanoTime() - t0;
            }
            long[] got = Arrays.copyOf(out, n);
            Arrays.sort(got);
            return got;
        }
    }

    /** {@code clients} connections each doing sequential round trips: completed calls per second. */
    static double parallel(Opener opener, int clients, double seconds) throws Exception {
        LongAdder done = new LongAdder();
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            RoundTrip rt = opener.open();
            threads.add(Thread.ofPlatform().start(() -> {
                try (rt) {
                    while (!stop.get()) {
                        rt.once();
                        if (counting.get()) done.increment();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        return measure(done, counting, stop, seconds, threads);
    }

    /** A second for the load to settle, then the calls completed in {@code seconds}, per second; the load is stopped after. */
    static double measure(LongAdder done, AtomicBoolean counting, AtomicBoolean stop, double seconds, List<Thread> threads) throws Exception {
        Thread.sleep(1000);
        counting.set(true);
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long n = done.sum();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread t : threads) t.join(2000);
        return n / elapsed;
    }

    /** Many sessions in flight on each TCP connection, as a protocol client would: completed enqueues per second. */
    static double pipelined(String host, int port, String app, int connections, int inFlight, double seconds) throws Exception {
        int appPort = resolve(host, port, app);
        LongAdder done = new LongAdder();
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, appPort));
            threads.add(Thread.ofPlatform().start(() -> {
                try (s) {
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    long session = 0;
                    for (int i = 0; i < inFlight; i++) out.write(enqueue(++session));
                    FrameReader reader = new FrameReader();
                    byte[] buf = new byte[64 * 1024];
                    java.io.ByteArrayOutputStream more = new java.io.ByteArrayOutputStream();
                    while (!stop.get()) {
                        int n = in.read(buf);
                        if (n <= 0) throw new IllegalStateException("the service closed the connection");
                        more.reset();
                        for (Frame f : reader.feed(buf, 0, n)) {
                            if (f.message() == Messages.CHOKE) {
                                if (counting.get()) done.increment();
                                more.write(enqueue(++session));
                            } else if (f.message() == Messages.ERROR) {
                                throw new IllegalStateException("error: " + f);
                            }
                        }
                        if (more.size() > 0) out.write(more.toByteArray());
                    }
                } catch (Exception e) {
                    if (!stop.get()) throw new IllegalStateException(e);
                }
            }));
        }
        return measure(done, counting, stop, seconds, threads);
    }

    static byte[] enqueue(long session) {
        return FrameWriter.encode(new Frame(Messages.ENQUEUE, session, List.of(FrameWriter.text("echo"), FrameWriter.bytes(DATA))));
    }

    /** The app's port, from the locator. */
    static int resolve(String host, int port, String app) throws Exception {
        try (dev.steward.protocol.RpcConnection c = new dev.steward.protocol.RpcConnection(host, port)) {
            return c.resolve(app, java.time.Duration.ofSeconds(10)).port();
        }
    }

    /** The floor: the same bytes to a process that echoes them over a unix socket, and back. */
    static final class Floor implements RoundTrip {
        private final SocketChannel ch;
        private final ByteBuffer out = ByteBuffer.allocateDirect(64);
        private final ByteBuffer in = ByteBuffer.allocateDirect(64);

        Floor(Path socket) throws Exception {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        }

        @Override
        public void once() throws Exception {
            out.clear().put(DATA).flip();
            while (out.hasRemaining()) ch.write(out);
            in.clear();
            while (in.position() < DATA.length) ch.read(in);
        }

        @Override
        public void close() throws Exception {
            ch.close();
        }
    }

    /** enqueue on the app's own TCP port, read until its choke. */
    static final class Tcp implements RoundTrip {
        private final Socket s;
        private final OutputStream out;
        private final InputStream in;
        private final FrameReader reader = new FrameReader();
        private final byte[] buf = new byte[64 * 1024];
        private long session;

        Tcp(String host, int port, String app) throws Exception {
            s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, resolve(host, port, app)));
            out = s.getOutputStream();
            in = s.getInputStream();
        }

        @Override
        public void once() throws Exception {
            out.write(enqueue(++session));
            while (true) {
                int n = in.read(buf);
                if (n <= 0) throw new IllegalStateException("closed");
                for (Frame f : reader.feed(buf, 0, n)) {
                    if (f.message() == Messages.CHOKE) return;
                    if (f.message() == Messages.ERROR) throw new IllegalStateException(f.toString());
                }
            }
        }

        @Override
        public void close() throws Exception {
            s.close();
        }
    }

    /** POST /APP/echo through the gateway on a kept-alive connection; the chunked answer read to its end. */
    static final class Gateway implements RoundTrip {
        private final Socket s;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] request;
        private final byte[] buf = new byte[64 * 1024];

        Gateway(String host, int port, String app) throws Exception {
            s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port));
            out = s.getOutputStream();
            in = s.getInputStream();
            request = ("POST /" + app + "/echo HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + DATA.length + "\r\n\r\n"
                    + new String(DATA, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void once() throws Exception {
            out.write(request);
            StringBuilder got = new StringBuilder();
            while (true) {
                int n = in.read(buf);
                if (n <= 0) throw new IllegalStateException("closed");
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                if (got.indexOf("\r\n0\r\n\r\n") >= 0) {
                    if (got.indexOf("HTTP/1.1 200") != 0) throw new IllegalStateException(got.toString());
                    return;
                }
            }
        }

        @Override
        public void close() throws Exception {
            s.close();
        }
    }
}
