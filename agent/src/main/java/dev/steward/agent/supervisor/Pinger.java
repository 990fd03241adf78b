package dev.steward.agent.supervisor;

import dev.steward.model.Ping;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one check against one endpoint, always within the ping's timeout. */
public final class Pinger {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
            .build();

    public PingResult check(Ping.Check check, String host, int port, Duration timeout, Path dir, Map<String, String> env) {
        long t0 = System.nanoTime();
        String failure = switch (check) {
            case Ping.Check.Tcp t -> tcp(host, port, timeout);
            case Ping.Check.Http h -> http(host, port, h.path(), timeout);
            case Ping.Check.Exec e -> exec(e, timeout, dir, env);
        };
        return new PingResult(failure == null, Duration.ofNanos(System.nanoTime() - t0), failure == null ? "ok" : failure);
    }

    private static String tcp(String host, int port, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return null;
        } catch (IOException e) {
            return "tcp " + host + ":" + port + ": " + e.getMessage();
        }
    }

    private String http(String host, int port, String path, Duration timeout) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path)).timeout(timeout).GET().build();
            HttpResponse<Void> res = http.send(req, HttpResponse.BodyHandlers.discarding());
            int code = res.statusCode();
            return code >= 200 && code < 400 ? null : "http " + path + ": status " + code;
        } catch (java.net.http.HttpTimeoutException e) {
            return "http " + path + ": timed out after " + timeout.toMillis() + "ms";
        } catch (java.net.ConnectException e) {
            return "http " + path + ": connection refused";
        } catch (IOException e) {
            return "http " + path + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (IllegalArgumentException e) {
            return "http " + path + ": " + e.getMessage();
        }
    }

    private static String exec(Ping.Check.Exec e, Duration timeout, Path dir, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(e.command()).directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            try (InputStream out = p.getInputStream()) {
                Thread.ofVirtual().start(() -> drain(out));
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    return "exec " + e.command().get(0) + ": timed out after " + timeout.toMillis() + "ms";
                }
            }
            return p.exitValue() == 0 ? null : "exec " + e.command().get(0) + ": exit status " + p.exitValue();
        } catch (IOException ex) {
            return "exec " + e.command().get(0) + ": " + ex.getMessage();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the check is over; its output does not matter
        }
    }
}
