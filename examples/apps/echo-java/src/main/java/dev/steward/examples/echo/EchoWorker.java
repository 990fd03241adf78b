package dev.steward.examples.echo;

import dev.steward.worker.Worker;
import java.nio.charset.StandardCharsets;

/** An example app on the Java worker SDK: echo, a greeting, and a counted stream. */
public final class EchoWorker {
    private EchoWorker() {}

    public static void main(String[] args) throws Exception {
        String greeting = System.getenv().getOrDefault("GREETING", "hello");
        Worker.fromArgs(args)
                .on("echo", (req, res) -> res.write(req.readAll()))
                .on("greet", (req, res) -> {
                    String name = new String(req.readAll(), StandardCharsets.UTF_8);
                    res.write((greeting + ", " + (name.isEmpty() ? "world" : name) + "\n").getBytes(StandardCharsets.UTF_8));
                })
                .on("count", (req, res) -> {
                    String n = new String(req.readAll(), StandardCharsets.UTF_8).strip();
                    for (int i = 0, end = n.isEmpty() ? 10 : Integer.parseInt(n); i < end; i++) {
                        res.write((i + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                })
                .run();
    }
}
