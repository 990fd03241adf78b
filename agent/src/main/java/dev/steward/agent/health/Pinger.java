package dev.steward.agent.health;

import dev.steward.model.Ping;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one check against one endpoint, always within the ping's timeout. */
public final class Pinger {
    public PingResult check(Ping.Check check, String host, int port, Duration timeout, Path dir, Map<String, String> env) {
        return check(check, host, port, timeout, dir, env, false);
    }

    /**
     * One check. {@code starting}: the instance is starting (an HTTP check is the same then: one connection, whose
     * refusal is told at once).
     */
    public PingResult check(Ping.Check check, String host, int port, Duration timeout, Path dir, Map<String, String> env, boolean starting) {
        long t0 = System.nanoTime();
        // not a pattern switch: its first run makes a class for the call site (about 1 ms in a fresh agent), and an
        // agent's first ping is on its first start on demand's path
        Outcome o;
        if (check instanceof Ping.Check.Tcp) o = new Outcome(tcp(host, port, timeout), null);
        else if (check instanceof Ping.Check.Http h) o = http(host, port, h.path(), timeout);
        else if (check instanceof Ping.Check.Exec e) o = exec(e, timeout, dir, env);
        else throw new IllegalArgumentException("no such check: " + check);
        return new PingResult(o.failure() == null, Duration.ofNanos(System.nanoTime() - t0),
                o.failure() == null ? "ok" : o.failure(), o.recommend());
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
        try (Socket s = new Socket(java.net.Proxy.NO_PROXY)) { // direct: no proxy selector asked on each ping
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

    private static Outcome http(String host, int port, String path, Duration timeout) {
        HttpPing.Answer a = HttpPing.get(host, port, path, timeout);
        if (a.failure() != null) return failed("http " + path + ": " + a.failure());
        int code = a.status();
        Integer recommend = a.recommend() == null ? null : recommendation("recommend=" + a.recommend());
        return new Outcome(code >= 200 && code < 400 ? null : "http " + path + ": status " + code, recommend);
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
