package dev.steward.worker.fn;

import dev.steward.worker.Worker;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Steward's generic java worker: loads the functions the agent names into this process, each in a
 * class loader of its own over its {@code classes/}, its jars and {@code lib/*.jar}, and serves the
 * main one ({@code STEWARD_FUNCTION}) as the event of that name. Same-worker calls run in process.
 */
public final class FunctionRunner {
    /** How deep calls may nest before one is refused (runaway recursion). */
    static final int MAX_DEPTH = 32;
    private final FunctionTable table;
    private final Map<String, Function> loaded = new ConcurrentHashMap<>();

    FunctionRunner(FunctionTable table) {
        this.table = table;
    }

    public static void main(String[] args) throws Exception {
        String main = System.getenv("STEWARD_FUNCTION");
        if (main == null) throw new IllegalArgumentException("STEWARD_FUNCTION is required");
        FunctionRunner runner = new FunctionRunner(FunctionTable.parse(System.getenv().getOrDefault("STEWARD_FUNCTIONS", "")));
        runner.load(main); // warm before the first invocation: a handler that cannot load fails the worker's start
        Worker.fromArgs(args).on(main, (req, res) -> res.write(runner.invoke(main, req.readAll(), 0))).run();
    }

    byte[] invoke(String name, byte[] data, int depth) throws Exception {
        byte[] out = load(name).handle(data, callsOf(name, depth));
        return out == null ? new byte[0] : out;
    }

    private Steward callsOf(String caller, int depth) {
        FunctionTable.Entry from = table.entry(caller);
        return (callee, data) -> {
            if (!from.calls().contains(callee)) {
                throw new CallException("function " + caller + " does not declare " + callee + " in calls: as same-worker", null);
            }
            if (depth + 1 >= MAX_DEPTH) throw new CallException("function " + callee + ": calls nest deeper than " + MAX_DEPTH, null);
            try {
                return invoke(callee, data, depth + 1);
            } catch (CallException e) {
                throw e;
            } catch (Exception e) {
                throw new CallException("function " + callee + " failed: " + e, e);
            }
        };
    }

    Function load(String name) {
        return loaded.computeIfAbsent(name, n -> {
            FunctionTable.Entry e = table.entry(n);
            try {
                URLClassLoader loader = new URLClassLoader("function-" + n, classPath(e.dir()), FunctionRunner.class.getClassLoader());
                Class<?> c = Class.forName(e.handler(), true, loader);
                if (!Function.class.isAssignableFrom(c)) {
                    throw new IllegalArgumentException("handler " + e.handler() + " does not implement " + Function.class.getName());
                }
                return (Function) c.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | IOException ex) {
                throw new IllegalArgumentException("function " + n + ": cannot load " + e.handler() + ": " + ex, ex);
            }
        });
    }

    private static URL[] classPath(Path dir) throws IOException {
        List<URL> urls = new ArrayList<>();
        urls.add(url(dir.resolve("classes")));
        for (Path d : List.of(dir, dir.resolve("lib"))) {
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                for (Path jar : s.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) urls.add(url(jar));
            }
        }
        return urls.toArray(URL[]::new);
    }

    private static URL url(Path p) throws MalformedURLException {
        return p.toUri().toURL();
    }
}
