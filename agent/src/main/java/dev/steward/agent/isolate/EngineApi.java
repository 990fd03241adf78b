package dev.steward.agent.isolate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The few calls of the Docker Engine API that every container's life makes (create, start, inspect,
 * kill, remove, its output followed), over plain HTTP/1.1 on the engine's socket: connections kept
 * open between calls, answers read as JSON trees, a followed output read on the caller's (virtual)
 * thread. A general client costs the agent several times more CPU per call (its request pipeline,
 * answers bound to large beans, a platform thread per stream), which under container churn competes
 * with the gateway for the machine's cores.
 */
final class EngineApi {
    private static final String VERSION = "/v1.41";
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("steward-engine-deadlines").daemon().factory());
    private final SocketAddress address;
    private final String hostHeader;
    private final Duration timeout;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

    /** An answer: its status and body. */
    record Answer(int status, byte[] body) {
        boolean ok() {
            return status / 100 == 2 || status == 304;
        }

        JsonNode json() throws IOException {
            return body.length == 0 ? Json.object() : Json.MAPPER.readTree(body);
        }

        /** The engine's own words for a failure ({@code {"message": ...}}), else the body as text. */
        String message() {
            try {
                JsonNode m = json().get("message");
                if (m != null) return m.asText();
            } catch (IOException | RuntimeException e) {
                // not JSON: the text itself
            }
            return new String(body, StandardCharsets.UTF_8).strip();
        }

        String describe() {
            return "status " + status + ": " + message();
        }
    }

    private EngineApi(SocketAddress address, String hostHeader, Duration timeout) {
        this.address = address;
        this.hostHeader = hostHeader;
        this.timeout = timeout;
    }

    /** For {@code unix:///path} or {@code tcp://host:port}. */
    static EngineApi of(String host, Duration timeout) {
        if (host.startsWith("unix://")) return new EngineApi(UnixDomainSocketAddress.of(host.substring("unix://".length())), "localhost", timeout);
        URI u = URI.create(host);
        if (!"tcp".equals(u.getScheme()) && !"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0) {
            throw new IllegalArgumentException("container engine address " + host + " (expected unix:///PATH or tcp://HOST:PORT)");
        }
        return new EngineApi(new InetSocketAddress(u.getHost(), u.getPort()), u.getHost() + ":" + u.getPort(), timeout);
    }

    /** One call; a body is sent as JSON. A connection kept from an earlier call that the engine closed meanwhile is replaced once. */
    Answer call(String method, String path, JsonNode body) throws IOException {
        byte[] payload = body == null ? null : Json.MAPPER.writeValueAsBytes(body);
        Connection c = idle.pollFirst();
        if (c != null) {
            try {
                return exchange(c, method, path, payload);
            } catch (Stale e) {
                c.close(); // closed by the engine while it waited here: the request never reached it
            }
        }
        try {
            return exchange(open(), method, path, payload);
        } catch (Stale e) {
            throw new IOException("the container engine closed the connection before answering " + method + " " + path);
        }
    }

    /**
     * A streamed answer's body ({@code follow} of logs): the request is sent now; the answer is read by
     * whoever reads the stream (the engine may send even its head only with the first output), until it
     * ends (the container is gone) or is closed. Its connection is never reused.
     */
    InputStream stream(String path) throws IOException {
        Connection c = open();
        try {
            c.send(request("GET", path, null));
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return new InputStream() {
            private InputStream body;

            private InputStream body() throws IOException {
                if (body != null) return body;
                Head h = c.head(false);
                if (h.status / 100 != 2) throw new IOException("GET " + path + ": " + new Answer(h.status, c.body(h)).describe());
                return body = c.bodyStream(h);
            }

            @Override
            public int read() throws IOException {
                return body().read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return body().read(b, off, len);
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    private Answer exchange(Connection c, String method, String path, byte[] payload) throws IOException {
        AtomicBoolean fired = new AtomicBoolean();
        ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
            fired.set(true); // before the close: the read it breaks must see why
            c.close();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        boolean keep = false;
        try {
            c.send(request(method, path, payload));
            Head h = c.head(c.reused);
            byte[] body = c.body(h);
            keep = h.keepAlive;
            return new Answer(h.status, body);
        } catch (Stale e) {
            throw e;
        } catch (IOException e) {
            if (fired.get()) throw new IOException(method + " " + path + ": no answer from the container engine within " + timeout.toMillis() + "ms");
            throw e;
        } finally {
            boolean late = !deadline.cancel(false) || fired.get(); // it ran: the connection is closed
            if (keep && !late) {
                c.reused = true;
                idle.addFirst(c);
            } else {
                c.close();
            }
        }
    }

    private byte[] request(String method, String path, byte[] payload) {
        StringBuilder head = new StringBuilder(160).append(method).append(' ').append(VERSION).append(path).append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader).append("\r\n");
        if (payload != null) head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
        else if (!method.equals("GET")) head.append("Content-Length: 0\r\n");
        byte[] h = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        if (payload == null) return h;
        byte[] all = new byte[h.length + payload.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(payload, 0, all, h.length, payload.length);
        return all;
    }

    private Connection open() throws IOException {
        SocketChannel ch = SocketChannel.open(address instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
        try {
            ch.connect(address);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot reach the container engine at " + address + ": " + e.getMessage(), e);
        }
        return new Connection(ch);
    }

    /** Drops the kept connections. */
    void close() {
        for (Connection c; (c = idle.pollFirst()) != null; ) c.close();
    }

    /** A kept connection that turned out closed before any byte of an answer came. */
    private static final class Stale extends IOException {
        Stale() {
            super("stale connection");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // an expected turn, not a failure: no trace to take
        }
    }

    private record Head(int status, long length, boolean chunked, boolean keepAlive) {}

    /** One connection to the engine and its read buffer. */
    private static final class Connection {
        private final SocketChannel channel;
        private final InputStream in;
        boolean reused;

        Connection(SocketChannel channel) {
            this.channel = channel;
            this.in = new BufferedInputStream(Channels.newInputStream(channel), 8192);
        }

        void send(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            try {
                while (b.hasRemaining()) channel.write(b);
            } catch (IOException e) {
                if (reused) throw new Stale();
                throw e;
            }
        }

        /** The status line and the headers that matter; {@code staleIfNothing}: an end before any byte is a stale connection. */
        Head head(boolean staleIfNothing) throws IOException {
            String status;
            try {
                status = line();
            } catch (EOFException e) {
                if (staleIfNothing) throw new Stale();
                throw new IOException("the container engine closed the connection without an answer");
            } catch (IOException e) {
                if (staleIfNothing) throw new Stale();
                throw e;
            }
            if (!status.startsWith("HTTP/1.") || status.length() < 12) throw new IOException("not an HTTP answer from the container engine: " + status);
            int code = Integer.parseInt(status.substring(9, 12));
            boolean keep = !status.startsWith("HTTP/1.0");
            long length = -1;
            boolean chunked = false;
            for (String h; !(h = line()).isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon < 0) continue;
                String name = h.substring(0, colon).strip();
                String value = h.substring(colon + 1).strip();
                if (name.equalsIgnoreCase("Content-Length")) length = Long.parseLong(value);
                else if (name.equalsIgnoreCase("Transfer-Encoding")) chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
                else if (name.equalsIgnoreCase("Connection")) keep = !value.equalsIgnoreCase("close");
            }
            if (length < 0 && !chunked && code != 204 && code != 304) keep = false; // the body ends with the connection
            return new Head(code, code == 204 || code == 304 ? 0 : length, chunked, keep);
        }

        byte[] body(Head h) throws IOException {
            InputStream s = bodyStream(h);
            ByteArrayOutputStream out = new ByteArrayOutputStream(h.length > 0 ? (int) Math.min(h.length, 1 << 20) : 256);
            s.transferTo(out);
            return out.toByteArray();
        }

        InputStream bodyStream(Head h) {
            if (h.chunked) return new Chunked(in);
            if (h.length >= 0) return new Limited(in, h.length);
            return in;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            while (true) {
                int c = in.read();
                if (c < 0) throw new EOFException();
                if (c == '\n') break;
                if (c != '\r') sb.append((char) c);
            }
            return sb.toString();
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        /** A body read by the array; a single byte read through the same path. */
        private abstract static class Body extends InputStream {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }
        }

        /** A body of a known length. */
        private static final class Limited extends Body {
            private final InputStream in;
            private long left;

            Limited(InputStream in, long length) {
                this.in = in;
                this.left = length;
            }


            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left == 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n < 0) throw new EOFException("the container engine's answer ended early");
                left -= n;
                return n;
            }
        }

        /** A chunked body, its chunks joined. */
        private static final class Chunked extends Body {
            private final InputStream in;
            private long left;
            private boolean done;

            Chunked(InputStream in) {
                this.in = in;
            }


            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (done) return -1;
                if (left == 0) {
                    left = size();
                    if (left == 0) {
                        while (!text().isEmpty()) { } // trailers, up to the empty line
                        done = true;
                        return -1;
                    }
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n < 0) throw new EOFException("the container engine's answer ended within a chunk");
                left -= n;
                if (left == 0) text(); // the chunk's CRLF
                return n;
            }

            private long size() throws IOException {
                String s = text();
                int semi = s.indexOf(';');
                return Long.parseLong((semi < 0 ? s : s.substring(0, semi)).strip(), 16);
            }

            private String text() throws IOException {
                StringBuilder sb = new StringBuilder(16);
                while (true) {
                    int c = in.read();
                    if (c < 0) throw new EOFException("the container engine's answer ended within a chunk");
                    if (c == '\n') return sb.toString();
                    if (c != '\r') sb.append((char) c);
                }
            }
        }
    }
}
