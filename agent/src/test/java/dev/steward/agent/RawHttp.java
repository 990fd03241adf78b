package dev.steward.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 written by hand on a socket: for requests a client library will not send, like a body that never comes. */
final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private String head = "";

    private RawHttp(Socket socket) {
        this.socket = socket;
    }

    /** Opens a connection to {@code agent}'s API and sends a request's head, with its admin token and an archive's content type. */
    static RawHttp send(TestAgent agent, String method, String path, String... headers) throws IOException {
        Socket s = new Socket("127.0.0.1", agent.agent().apiPort());
        s.setSoTimeout(30_000);
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + agent.token
                + "\r\nContent-Type: application/octet-stream\r\n");
        for (String h : headers) head.append(h).append("\r\n");
        s.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        return new RawHttp(s);
    }

    RawHttp body(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** The response: its status, and its body as far as its Content-Length says. */
    TestAgent.Res response() throws IOException {
        InputStream in = socket.getInputStream();
        head = readHead(in);
        int status = Integer.parseInt(head.substring(9, 12));
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).strip());
        }
        return new TestAgent.Res(status, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    /** The head of the last response read, as sent. */
    String head() {
        return head;
    }

    /** A response's head, read byte by byte up to its blank line (a 100 Continue skipped). */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            String s = b.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                if (s.startsWith("HTTP/1.1 100")) b.reset(); // 100 Continue: the real answer follows
                else return s;
            }
        }
        throw new IOException("the connection closed before a response: " + b);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
