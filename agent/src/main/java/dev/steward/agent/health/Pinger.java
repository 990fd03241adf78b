package dev.steward.agent.health;

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
    /**
     * The HTTP client, made at the first HTTP check rather than at the agent's start: making one sets up
     * the JDK's TLS context (its providers, its certificates), about a tenth of a second of a start
     * that most services' pings never need.
     */
    private static final class Http {
        static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    public PingResult check(Ping.Check check, String host, int port, Duration timeout, Path dir, Map<String, String> env) {
        return check(check, host, port, timeout, dir, env, false);
    }

    /**
     * One check. While the instance starts ({@code starting}), an HTTP check first sees whether anything listens:
     * a refused connection costs microseconds, where the HTTP client's attempt costs milliseconds of the start.
     */
    public PingResult check(Ping.Check check, String host, int port, Duration timeout, Path dir, Map<String, String> env, boolean starting) {
        long t0 = System.nanoTime();
        Outcome o = switch (check) {
            case Ping.Check.Tcp t -> new Outcome(tcp(host, port, timeout), null);
            case Ping.Check.Http h when starting -> {
                String unreachable = connectFailure(host, port, timeout);
                yield unreachable != null ? failed("http " + h.path() + ": " + unreachable) : http(host, port, h.path(), timeout);
            }
            case Ping.Check.Http h -> http(host, port, h.path(), timeout);
            case Ping.Check.Exec e -> exec(e, timeout, dir, env);
        };
        return new PingResult(o.failure() == null, Duration.ofNanos(System.nanoTime() - t0),
                o.failure() == null ? "ok" : o.failure(), o.recommend());
    }

    /**
     * Readies the HTTP client the checks use (the JDK's: its TLS context, its selector, the classes of an
     * exchange), off any instance's start: an attempt at a port where nothing listens. About a third of a
     * second of CPU on a small machine, which the first HTTP check of an agent's life would otherwise wait for.
     */
    private static void warm() {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            return;
        }
        new Pinger().http("127.0.0.1", port, "/", Duration.ofSeconds(1));
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARMED = new java.util.concurrent.atomic.AtomicBoolean();

    /** {@link #warm} on a thread of its own, once: called as an instance with an HTTP check starts, so that both go on together. */
    public static void prepare() {
        if (WARMED.compareAndSet(false, true)) Thread.ofVirtual().name("steward-ping-client").start(Pinger::warm);
    }

    /** A check's failure (null when it passed) and the instance count it recommended (or null). */
    private record Outcome(String failure, Integer recommend) {}

    private static final java.util.regex.Pattern RECOMMEND = java.util.regex.Pattern.compile("(?m)^recommend[=:] *(\\d{1,6}) *$");

    static Integer recommendation(String text) {
        if (text == null) return null;
        java.util.regex.Matcher m = RECOMMEND.matcher(text.strip());
        Integer last = null;
        while (m.find()) last = Integer.parseInt(m.group(1));
        return last;
    }

    private static String tcp(String host, int port, Duration timeout) {
        String failure = connectFailure(host, port, timeout);
        return failure == null ? null : "tcp " + host + ":" + port + ": " + failure;
    }

    /** Why no connection to the port could be made ("connection refused", "connect timed out after 200ms", ...), or null when one was. */
    static String connectFailure(String host, int port, Duration timeout) {
        int millis = (int) Math.max(1, timeout.toMillis());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), millis);
            return null;
        } catch (java.net.SocketTimeoutException e) {
            return "connect timed out after " + millis + "ms";
        } catch (java.net.ConnectException e) {
            String m = e.getMessage();
            return m == null || m.startsWith("Connection refused") ? "connection refused" : m;
        } catch (IOException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    private Outcome http(String host, int port, String path, Duration timeout) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path)).timeout(timeout).GET().build();
            HttpResponse<Void> res = Http.CLIENT.send(req, HttpResponse.BodyHandlers.discarding());
            int code = res.statusCode();
            Integer recommend = res.headers().firstValue("X-Steward-Recommend").map(v -> recommendation("recommend=" + v.strip())).orElse(null);
            return new Outcome(code >= 200 && code < 400 ? null : "http " + path + ": status " + code, recommend);
        } catch (java.net.http.HttpTimeoutException e) {
            return failed("http " + path + ": timed out after " + timeout.toMillis() + "ms");
        } catch (java.net.ConnectException e) {
            return failed("http " + path + ": connection refused");
        } catch (IOException e) {
            return failed("http " + path + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed("interrupted");
        } catch (IllegalArgumentException e) {
            return failed("http " + path + ": " + e.getMessage());
        }
    }

    private static Outcome failed(String why) {
        return new Outcome(why, null);
    }

    /** Runs the command; its output (the first 4 KiB) may carry a {@code recommend=N} line. */
    private static Outcome exec(Ping.Check.Exec e, Duration timeout, Path dir, Map<String, String> env) {
        String name = e.command().get(0);
        try {
            ProcessBuilder pb = new ProcessBuilder(e.command()).directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            java.util.concurrent.CompletableFuture<String> out = new java.util.concurrent.CompletableFuture<>();
            String text;
            try (InputStream in = p.getInputStream()) {
                Thread.ofVirtual().start(() -> out.complete(head(in)));
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    return failed("exec " + name + ": timed out after " + timeout.toMillis() + "ms");
                }
                text = out.completeOnTimeout("", 100, TimeUnit.MILLISECONDS).join();
            }
            Integer recommend = recommendation(text);
            return new Outcome(p.exitValue() == 0 ? null : "exec " + name + ": exit status " + p.exitValue(), recommend);
        } catch (IOException ex) {
            return failed("exec " + name + ": " + ex.getMessage());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return failed("interrupted");
        }
    }

    /** The first 4 KiB of a stream, the rest read and dropped. */
    private static String head(InputStream in) {
        try {
            byte[] first = in.readNBytes(4096);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return new String(first, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
