package dev.steward.agent.dynamic;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A readiness check on a plain socket (so it can run inside a namespace): a TCP connect, or an HTTP GET's status line. */
final class Probe {
    private Probe() {}

    /** Whether something listens at {@code host:port}: false when the connection is refused or does not come. */
    static boolean listening(String host, int port) {
        return tcp(host, port, Duration.ofSeconds(1)) == null;
    }

    /**
     * How long to wait before asking again whether a starting part listens, {@code elapsed} after it was started: 1 ms
     * at first, then a fiftieth of the time waited so far (at most 20 ms). A refused connection costs microseconds, so
     * the wait adds little to a fast start, and a slow one (a JVM's seconds) is not asked hundreds of times a second.
     */
    static long pollMillis(Duration elapsed) {
        return Math.clamp(elapsed.toMillis() / 50, 1, 20);
    }

    /** Null when {@code host:port} takes a connection, else why not. */
    static String tcp(String host, int port, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return null;
        } catch (IOException e) {
            return "tcp " + host + ":" + port + ": " + e.getMessage();
        }
    }

    /** The status of {@code GET path} on {@code host:port}, or -1; {@code why} gets the failure. */
    static int http(String host, int port, String path, Duration timeout, StringBuilder why) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\nUser-Agent: steward-ping\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String line = statusLine(s.getInputStream());
            String[] parts = line.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
                why.append("http ").append(path).append(": not an HTTP answer");
                return -1;
            }
            return Integer.parseInt(parts[1]);
        } catch (IOException e) {
            why.append("http ").append(host).append(':').append(port).append(path).append(": ").append(e.getMessage());
            return -1;
        }
    }

    /** The body of a 2xx answer to {@code GET path} on {@code host:port} (at most 64 KiB); another status or none throws. */
    static String get(String host, int port, String path, Duration timeout) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\nUser-Agent: steward-idle\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String line = statusLine(in);
            String[] parts = line.split(" ", 3);
            if (parts.length < 2 || !parts[1].matches("2\\d\\d")) throw new IOException("http " + path + ": " + (line.isEmpty() ? "no answer" : line));
            byte[] all = in.readNBytes(64 << 10);
            String text = new String(all, StandardCharsets.UTF_8);
            if (text.startsWith("\r\n")) return text.substring(2); // no headers
            int body = text.indexOf("\r\n\r\n");
            return body < 0 ? "" : text.substring(body + 4);
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n' && b.length() < 200; ) b.append((char) c);
        return b.toString().strip();
    }
}
