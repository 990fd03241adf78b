package dev.steward.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A short run of the CLI's common commands against a stand-in agent on a loopback port the system
 * chooses, so that the class cache the JVM writes at its exit holds what those commands load (picocli,
 * both HTTP clients, Jackson, the printers). The launcher runs it once after each build; nothing here
 * is shown.
 */
public final class CacheTraining {
    private static final Map<String, String> ANSWERS = Map.of(
            "/v1/agent", "{\"version\":\"0\",\"node\":\"training\",\"pid\":1,\"started\":\"2026-01-01T00:00:00Z\","
                    + "\"listeners\":{\"api\":\"http://127.0.0.1:1\"},\"data-dir\":\"/\"}",
            "/v1/services", "[{\"name\":\"a\",\"kind\":\"service\",\"policy\":\"always\",\"state\":\"available\",\"instances\":[]}]",
            "/v1/services/a", "{\"name\":\"a\",\"kind\":\"service\",\"policy\":\"always\",\"state\":\"available\","
                    + "\"statistics\":{\"starts\":2,\"failures\":0,\"last-exit\":\"x\",\"last-exit-reason\":\"exit status 0\",\"uptime-seconds\":9},"
                    + "\"instances\":[{\"id\":\"a-1\",\"state\":\"running\",\"health\":\"healthy\",\"pid\":1,\"port\":1,"
                    + "\"usage\":{\"cpu-nanos\":1856106,\"memory-bytes\":1925120,\"memory-peak-bytes\":262144,\"pids\":1}}]}");

    private CacheTraining() {}

    public static void main(String[] args) throws IOException {
        HttpServer agent = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        agent.createContext("/", ex -> {
            String body = ANSWERS.getOrDefault(ex.getRequestURI().getPath(), "{\"error\":\"not found\",\"details\":[]}");
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(ANSWERS.containsKey(ex.getRequestURI().getPath()) ? 200 : 404, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        agent.start();
        String addr = "http://127.0.0.1:" + agent.getAddress().getPort();
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        try {
            System.setOut(nowhere);
            System.setErr(nowhere);
            for (String[] command : new String[][] {
                    {"--version"}, {"--help"}, {"service", "--help"}, {"status"}, {"service", "query"}, {"service", "query", "a"},
                    {"service", "query", "a", "--json"}, {"version"}, {"service", "query", "missing"}, {"servce"},
                    {"service", "show", "a"}, {"service", "stop", "a"}, {"job", "list"}}) {
                String[] withAgent = java.util.Arrays.copyOf(command, command.length + 4);
                System.arraycopy(new String[] {"--addr", addr, "--token", "training"}, 0, withAgent, command.length, 4);
                Main.run(command[0].startsWith("--") ? command : withAgent);
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            agent.stop(0);
        }
    }
}
