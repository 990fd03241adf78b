package dev.steward.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One GET over plain HTTP/1.1 on a socket of its own, for the short commands that only read: the JDK's
 * HTTP client (its executor, its TLS set-up, its selector thread) cost a command more time than all the
 * rest of it. Reads a body sized by Content-Length, sent in chunks, or ended by the agent closing.
 */
final class PlainHttp {
    /** The status and the body of an answer. */
    record Answer(int status, String body) {}

    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private PlainHttp() {}

    static Answer get(URI base, String path, String token) throws IOException {
        int port = base.getPort() < 0 ? 80 : base.getPort();
        URI target = base.resolve(path);
        String request = "GET " + target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()) + " HTTP/1.1\r\n"
                + "Host: " + base.getRawAuthority() + "\r\n"
                + "Accept: application/json\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Connection: close\r\n\r\n";
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(base.getHost(), port), CONNECT_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read(new BufferedInputStream(s.getInputStream()));
        }
    }

    static Answer read(InputStream in) throws IOException {
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("not an HTTP answer: '" + status + "'");
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: '" + status + "'");
        }
        long length = -1;
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon < 0) continue;
            String name = h.substring(0, colon).strip();
            String value = h.substring(colon + 1).strip();
            if (name.equalsIgnoreCase("Content-Length")) length = contentLength(value);
            else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) chunked = true;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (long size = chunkSize(line(in)); size > 0; size = chunkSize(line(in))) {
                copy(in, body, size);
                line(in); // the CRLF after each chunk
            }
        } else if (length >= 0) {
            copy(in, body, length);
        } else {
            in.transferTo(body);
        }
        return new Answer(code, body.toString(StandardCharsets.UTF_8));
    }

    private static long contentLength(String value) throws IOException {
        try {
            long n = Long.parseLong(value);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IOException("a bad Content-Length: '" + value + "'");
    }

    private static long chunkSize(String line) throws IOException {
        int ext = line.indexOf(';');
        try {
            return Long.parseLong((ext < 0 ? line : line.substring(0, ext)).strip(), 16);
        } catch (NumberFormatException e) {
            throw new IOException("a bad chunk size: '" + line + "'");
        }
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[8192];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) throw new IOException("the answer ended early");
            out.write(buf, 0, r);
            n -= r;
        }
    }

    /** One line of the head, without its CRLF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new IOException("the answer ended early");
            if (c != '\r') b.append((char) c);
        }
        return b.toString();
    }
}
