package dev.steward.agent.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP check as a plain exchange on one socket: connect, {@code GET path HTTP/1.1} with {@code
 * Connection: close}, read the status line and the headers, close (the body is not read). Nothing to
 * make first (the JDK's HTTP client cost about a third of a second of CPU the first time, on the path of
 * the first instance to start), and one connection per check: a refusal is told as such at once.
 * Everything within the check's timeout.
 */
final class HttpPing {
    /** The largest response head read; a longer one fails the check. */
    static final int MAX_HEAD = 64 * 1024;

    /** What came back: the status, or why there is none ({@code status} 0); and the X-Steward-Recommend value, or null. */
    record Answer(int status, String failure, String recommend) {
        static Answer failed(String why) {
            return new Answer(0, why, null);
        }
    }

    private HttpPing() {}

    static Answer get(String host, int port, String path, java.time.Duration timeout) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c >= 0x7f) return Answer.failed("not a valid path (whitespace or a control character)");
        }
        if (!path.startsWith("/")) return Answer.failed("not a valid path (it must start with /)");
        long deadline = System.nanoTime() + timeout.toNanos();
        int millis = (int) Math.max(1, timeout.toMillis());
        try (Socket s = new Socket(java.net.Proxy.NO_PROXY)) { // direct: no proxy selector asked on each ping
            s.setTcpNoDelay(true);
            try {
                s.connect(new InetSocketAddress(host, port), millis);
            } catch (SocketTimeoutException e) {
                return Answer.failed("connect timed out after " + millis + "ms");
            } catch (java.net.ConnectException e) {
                String m = e.getMessage();
                return Answer.failed(m == null || m.startsWith("Connection refused") ? "connection refused" : m);
            }
            String authority = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]:" + port : host + ":" + port;
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nUser-Agent: steward-ping\r\nAccept: */*\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(s, s.getInputStream(), deadline, millis);
        } catch (SocketTimeoutException e) {
            return Answer.failed("timed out after " + millis + "ms");
        } catch (IOException e) {
            return Answer.failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** Reads until the end of the response head (or the connection's end); the answer it gives. */
    private static Answer read(Socket s, InputStream in, long deadline, int millis) throws IOException {
        byte[] buf = new byte[1024];
        int n = 0;
        int end;
        while ((end = headEnd(buf, n)) < 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new SocketTimeoutException();
            s.setSoTimeout((int) Math.max(1, left / 1_000_000));
            if (n == buf.length) {
                if (n >= MAX_HEAD) return Answer.failed("the response head is over " + MAX_HEAD + " bytes");
                buf = java.util.Arrays.copyOf(buf, n * 2);
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                if (n == 0) return Answer.failed("the connection closed without an answer");
                end = n; // a head cut short: what came is read as it is
                break;
            }
            n += r;
        }
        return parse(new String(buf, 0, end, StandardCharsets.ISO_8859_1));
    }

    /** Where the head ends (after its empty line), or -1. */
    static int headEnd(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != '\n') continue;
            if (i + 1 < n && b[i + 1] == '\n') return i + 2;
            if (i + 2 < n && b[i + 1] == '\r' && b[i + 2] == '\n') return i + 3;
        }
        return -1;
    }

    /** The status and the recommendation from a response head's text. */
    static Answer parse(String head) {
        int eol = head.indexOf('\n');
        String status = (eol < 0 ? head : head.substring(0, eol)).strip();
        if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' '
                || !Character.isDigit(status.charAt(9)) || !Character.isDigit(status.charAt(10)) || !Character.isDigit(status.charAt(11))) {
            String shown = status.length() > 60 ? status.substring(0, 60) + "..." : status;
            return Answer.failed("not an HTTP response: '" + shown + "'");
        }
        int code = Integer.parseInt(status.substring(9, 12));
        String recommend = null;
        for (String line : head.substring(eol + 1).split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("x-steward-recommend")) {
                if (recommend == null) recommend = line.substring(colon + 1).strip();
            }
        }
        return new Answer(code, null, recommend);
    }
}
