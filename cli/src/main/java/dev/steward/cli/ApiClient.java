package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;

/** Talks to the agent's HTTP API; turns its JSON errors into {@link CliException}s with the right exit code. */
final class ApiClient {
    private final URI base;
    private final List<String> tokens;
    private int current;
    private final String caCert;
    private HttpClient http; // made when first needed: a command that only reads over plain HTTP never needs it

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
        if (base.getScheme().equals("https")) http(); // a bad --ca-cert is said at once
    }

    private HttpClient http() {
        if (http == null) {
            HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
            b.sslContext(base.getScheme().equals("https") ? Trust.context(caCert, base.getHost()) : Trust.unused());
            http = b.build();
        }
        return http;
    }

    JsonNode get(String path) {
        return json(send("GET", path, null, Map.of()));
    }

    JsonNode call(String method, String path, String body, Map<String, String> headers) {
        return json(send(method, path, body, headers));
    }

    /** Sends a file (an archive) as it is read, and reads the JSON answer. */
    JsonNode upload(String method, String path, java.nio.file.Path file) {
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (java.io.FileNotFoundException e) {
            throw new CliException(2, file + ": no such file");
        }
        HttpResponse<String> res = publish(method, path, body,
                Map.of("Content-Type", "application/octet-stream"), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 400) throw error(res.statusCode(), res.body());
        return json(res.body());
    }

    /** GETs {@code path} into the file {@code to} (streamed); the answer's headers. */
    java.net.http.HttpHeaders download(String path, java.nio.file.Path to) {
        HttpResponse<InputStream> res = exchange("GET", path, null, Map.of(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = res.body()) {
            if (res.statusCode() >= 400) throw error(res.statusCode(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
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
        HttpResponse<String> res = exchange(method, path, body, headers, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 400) throw error(res.statusCode(), res.body());
        return res.body();
    }

    /** Streams a response body to {@code sink} as it arrives (logs -f). */
    void stream(String path, java.io.OutputStream sink) throws IOException {
        stream(exchange("GET", path, null, Map.of(), HttpResponse.BodyHandlers.ofInputStream()), sink);
    }

    /** Sends {@code body} and streams the answer to {@code sink} as it arrives (app invoke). */
    void stream(String method, String path, byte[] body, java.io.OutputStream sink) throws IOException {
        stream(publish(method, path, HttpRequest.BodyPublishers.ofByteArray(body), Map.of("Content-Type", "application/octet-stream"),
                HttpResponse.BodyHandlers.ofInputStream()), sink);
    }

    private static void stream(HttpResponse<InputStream> res, java.io.OutputStream sink) throws IOException {
        try (InputStream in = res.body()) {
            if (res.statusCode() >= 400) throw error(res.statusCode(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                sink.write(buf, 0, n);
                sink.flush();
            }
        }
    }

    private <T> HttpResponse<T> exchange(String method, String path, String body, Map<String, String> headers, HttpResponse.BodyHandler<T> handler) {
        return publish(method, path, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body), headers, handler);
    }

    private <T> HttpResponse<T> publish(String method, String path, HttpRequest.BodyPublisher body, Map<String, String> headers,
                                         HttpResponse.BodyHandler<T> handler) {
        while (true) {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).method(method, body);
            headers.forEach(b::header);
            if (body.contentLength() != 0 && headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Content-Type"))) {
                b.header("Content-Type", "application/yaml");
            }
            if (current < tokens.size()) b.header("Authorization", "Bearer " + tokens.get(current));
            HttpResponse<T> res = send(b.build(), handler);
            // a token found on this machine may be another agent's: try the next one
            if (res.statusCode() != 401 || current + 1 >= tokens.size()) return res;
            if (res.body() instanceof InputStream in) close(in);
            current++;
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

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
        try {
            return http().send(req, handler);
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(1, "interrupted");
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
