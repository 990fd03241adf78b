package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;

/** Talks to the agent's HTTP API; turns its JSON errors into {@link CliException}s with the right exit code. */
final class ApiClient {
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    static {
        System.setProperty("sun.net.http.retryPost", "false"); // a POST the agent may have acted on is never sent twice
    }

    private final URI base;
    private final List<String> tokens;
    private int current;
    private final String caCert;
    private HttpClient http; // made for PATCH alone, which HttpURLConnection refuses
    private javax.net.ssl.SSLSocketFactory tls; // made when first needed (https only)

    /** A client of the agent at {@code addr}; for https, trusting what {@link Trust} says ({@code caCert}: a PEM file, or null). */
    ApiClient(String addr, String token, String caCert) {
        String a = addr.endsWith("/") ? addr.substring(0, addr.length() - 1) : addr;
        try {
            this.base = URI.create(a);
            if (!List.of("http", "https").contains(base.getScheme()) || base.getHost() == null) throw new IllegalArgumentException();
        } catch (IllegalArgumentException e) {
            throw new CliException(2, "--addr: '" + addr + "' (expected: http://HOST:PORT or https://HOST:PORT)");
        }
        this.tokens = Credentials.candidates(token, base.getHost());
        this.caCert = caCert;
        if (base.getScheme().equals("https")) tls(); // a bad --ca-cert is said at once
    }

    private javax.net.ssl.SSLSocketFactory tls() {
        if (tls == null) tls = Trust.context(caCert, base.getHost()).getSocketFactory();
        return tls;
    }

    JsonNode get(String path) {
        return json(send("GET", path, null, Map.of()));
    }

    JsonNode call(String method, String path, String body, Map<String, String> headers) {
        return json(send(method, path, body, headers));
    }

    /** Sends a file (an archive) as it is read, and reads the JSON answer. */
    JsonNode upload(String method, String path, java.nio.file.Path file) {
        long size;
        try {
            size = java.nio.file.Files.size(file);
        } catch (IOException e) {
            throw new CliException(2, file + ": no such file");
        }
        Body body = new Body(size, out -> java.nio.file.Files.copy(file, out), "application/octet-stream");
        return json(text(path, exchange(method, path, body, Map.of())));
    }

    /** GETs {@code path} into the file {@code to} (streamed); the answer's headers, named in lower case (the first value of each). */
    Map<String, String> download(String path, java.nio.file.Path to) {
        Answer res = exchange("GET", path, null, Map.of());
        try (InputStream in = res.body()) {
            if (res.status() >= 400) throw error(res.status(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            java.nio.file.Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return res.headers();
        } catch (IOException e) {
            throw new CliException(1, "cannot read the agent's answer to " + path + ": " + e.getMessage());
        }
    }

    String text(String path) {
        return send("GET", path, null, Map.of());
    }

    String send(String method, String path, String body, Map<String, String> headers) {
        if (method.equals("GET") && body == null && headers.isEmpty() && base.getScheme().equals("http")) return plainGet(path);
        if (method.equals("PATCH")) return patch(path, body, headers);
        return text(path, exchange(method, path, body == null ? null : Body.of(body), headers));
    }

    /** Streams a response body to {@code sink} as it arrives (logs -f). */
    void stream(String path, java.io.OutputStream sink) throws IOException {
        stream(exchange("GET", path, null, Map.of()), sink);
    }

    /** Sends {@code body} and streams the answer to {@code sink} as it arrives (app invoke). */
    void stream(String method, String path, byte[] body, java.io.OutputStream sink) throws IOException {
        stream(exchange(method, path, new Body(body.length, out -> out.write(body), "application/octet-stream"), Map.of()), sink);
    }

    private static void stream(Answer res, java.io.OutputStream sink) throws IOException {
        try (InputStream in = res.body()) {
            if (res.status() >= 400) throw error(res.status(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                sink.write(buf, 0, n);
                sink.flush();
            }
        }
    }

    private static String text(String path, Answer res) {
        try (InputStream in = res.body()) {
            String body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (res.status() >= 400) throw error(res.status(), body);
            return body;
        } catch (IOException e) {
            throw new CliException(1, "cannot read the agent's answer to " + path + ": " + e.getMessage());
        }
    }

    /** What a request carries: its length, how to write it, and its type. */
    private record Body(long length, Writer writer, String type) {
        static Body of(String text) {
            byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return new Body(b.length, out -> out.write(b), "application/yaml");
        }
    }

    @FunctionalInterface
    private interface Writer {
        void write(java.io.OutputStream out) throws IOException;
    }

    /** An answer: its status, headers (lower-case names, first values) and body, read as it arrives. */
    private record Answer(int status, Map<String, String> headers, InputStream body) {}

    /**
     * One request over the JDK's {@link java.net.HttpURLConnection}: it starts in a tenth of the time of
     * {@code java.net.http.HttpClient} (no executor, no selector thread), which is most of a short command's time.
     * A token refused with 401 makes way for the next one found on this machine (it may be another agent's).
     */
    private Answer exchange(String method, String path, Body body, Map<String, String> headers) {
        while (true) {
            Answer res;
            try {
                res = open(method, path, body, headers);
            } catch (IOException e) {
                throw unreachable(e);
            }
            if (res.status() != 401 || current + 1 >= tokens.size()) return res;
            close(res.body());
            current++;
        }
    }

    private Answer open(String method, String path, Body body, Map<String, String> headers) throws IOException {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) base.resolve(path).toURL().openConnection();
        if (c instanceof javax.net.ssl.HttpsURLConnection s) s.setSSLSocketFactory(tls());
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setRequestMethod(method);
        c.setRequestProperty("Accept", "application/json, */*");
        headers.forEach(c::setRequestProperty);
        if (current < tokens.size()) c.setRequestProperty("Authorization", "Bearer " + tokens.get(current));
        if (body != null) {
            if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Content-Type"))) c.setRequestProperty("Content-Type", body.type());
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length());
            try (var out = c.getOutputStream()) {
                body.writer().write(out);
            }
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        Map<String, String> named = new java.util.HashMap<>();
        c.getHeaderFields().forEach((k, v) -> {
            if (k != null && !v.isEmpty()) named.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0));
        });
        return new Answer(status, named, in == null ? InputStream.nullInputStream() : in);
    }

    /** PATCH (service modify) over the JDK's other client: HttpURLConnection refuses the method. */
    private String patch(String path, String body, Map<String, String> headers) {
        if (http == null) {
            http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofMillis(CONNECT_TIMEOUT_MS))
                    .sslContext(base.getScheme().equals("https") ? Trust.context(caCert, base.getHost()) : Trust.unused()).build();
        }
        while (true) {
            var b = java.net.http.HttpRequest.newBuilder(base.resolve(path))
                    .method("PATCH", body == null ? java.net.http.HttpRequest.BodyPublishers.noBody() : java.net.http.HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(b::header);
            if (body != null && headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Content-Type"))) b.header("Content-Type", "application/yaml");
            if (current < tokens.size()) b.header("Authorization", "Bearer " + tokens.get(current));
            java.net.http.HttpResponse<String> res;
            try {
                res = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw unreachable(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(1, "interrupted");
            }
            if (res.statusCode() == 401 && current + 1 < tokens.size()) {
                current++;
                continue;
            }
            if (res.statusCode() >= 400) throw error(res.statusCode(), res.body());
            return res.body();
        }
    }

    /** A GET over plain HTTP, without the JDK's client (see {@link PlainHttp}); the same tokens tried in the same order. */
    private String plainGet(String path) {
        while (true) {
            PlainHttp.Answer a;
            try {
                a = PlainHttp.get(base, path, current < tokens.size() ? tokens.get(current) : null);
            } catch (IOException e) {
                throw unreachable(e);
            }
            if (a.status() == 401 && current + 1 < tokens.size()) {
                current++;
                continue;
            }
            if (a.status() >= 400) throw error(a.status(), a.body());
            return a.body();
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // a refused answer: nothing to read
        }
    }

    private CliException unreachable(IOException e) {
        if (e instanceof ConnectException) {
            return new CliException(1, "cannot reach the agent at " + base + ": connection refused (is 'steward agent' running?)");
        }
        if (e instanceof SSLHandshakeException) {
            return new CliException(1, "cannot reach the agent at " + base + " over TLS: " + e.getMessage()
                    + " (trust its certificate or CA with --ca-cert FILE or STEWARD_CA_CERT)");
        }
        String hint = base.getScheme().equals("http") ? " (if the agent serves HTTPS, use --addr https://" + base.getAuthority() + ")" : "";
        return new CliException(1, "cannot reach the agent at " + base + ": " + e.getMessage() + hint);
    }

    private static JsonNode json(String body) {
        return body == null || body.isBlank() ? Json.object() : Json.tree(body);
    }

    private static CliException error(int status, String body) {
        String message = "the agent answered " + status;
        StringBuilder details = new StringBuilder();
        try {
            JsonNode n = Json.tree(body);
            message = n.path("error").asText(message);
            n.path("details").forEach(d -> details.append("\n  - ").append(d.asText()));
        } catch (RuntimeException ignored) {
            // not JSON: keep the status line
        }
        // refused for who the caller is (no token, not allowed) is a failure, not a usage error
        int exit = status == 404 ? CliException.NOT_FOUND : status >= 500 || status == 401 || status == 403 ? 1 : 2;
        return new CliException(exit, message + details, status);
    }
}
