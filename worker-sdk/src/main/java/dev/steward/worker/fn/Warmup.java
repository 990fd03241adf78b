package dev.steward.worker.fn;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import dev.steward.protocol.ProtocolException;
import dev.steward.protocol.WorkerMessage;
import dev.steward.worker.Worker;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The java worker's own paths, run once in this process against a stand-in agent on a socket of its own:
 * a unix socket connected, the protocol's frames both ways, virtual threads, a function loaded through a
 * class loader of its own and invoked with a same-worker call, a jar opened and read. A pooled worker runs
 * it before it waits to be given a function, so that what its first call needs is loaded and initialized
 * by then; the agent's training run ({@code FunctionRunner --warmup}) runs it to make the ahead-of-time
 * cache the workers start with.
 */
final class Warmup {
    private static final String MAIN = "warmup";

    private Warmup() {}

    /** The function the warm-up invokes: {@code >DATA} is a same-worker call of its callee with DATA, else the data back. */
    public static final class Echo implements Function {
        @Override
        public byte[] handle(byte[] data, Steward steward) throws Exception {
            if (data.length > 0 && data[0] == '>') return steward.invoke("callee", Arrays.copyOfRange(data, 1, data.length));
            return data;
        }
    }

    /** Loads a class from a jar, then serves {@code calls} invocations to a worker of this process over a unix socket, then terminates it. */
    static void run(int calls) throws Exception {
        run(calls, () -> false);
    }

    /** As {@link #run(int)}, ending early (after the call under way) once {@code stop} says so. */
    static void run(int calls, java.util.function.BooleanSupplier stop) throws Exception {
        run(calls, stop, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** As {@link #run(int, java.util.function.BooleanSupplier)}, its folder made in {@code parent}. */
    static void run(int calls, java.util.function.BooleanSupplier stop, Path parent) throws Exception {
        sweep(parent);
        Path dir = Files.createTempDirectory(parent, "steward-warmup-");
        try {
            readJar(dir);
            serve(dir, calls, stop);
        } finally {
            remove(dir);
        }
    }

    /** A warm-up takes well under a second: a folder of one this old was left by a process killed as it began. */
    static final java.time.Duration STALE = java.time.Duration.ofMinutes(10);

    /** Removes the warm-up folders in {@code parent} older than {@link #STALE}; one that cannot be removed is left. */
    static void sweep(Path parent) {
        java.nio.file.attribute.FileTime before = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(STALE));
        try (java.nio.file.DirectoryStream<Path> old = Files.newDirectoryStream(parent, "steward-warmup-*")) {
            for (Path d : old) {
                try {
                    if (Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.getLastModifiedTime(d).compareTo(before) < 0) remove(d);
                } catch (IOException e) {
                    // another's, or gone meanwhile: left
                }
            }
        } catch (IOException e) {
            // the folder cannot be listed: nothing swept
        }
    }

    /** Removes the warm-up's folder and what is left in it, if it is still there. */
    private static void remove(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static void serve(Path dir, int calls, java.util.function.BooleanSupplier stop) throws Exception {
        Path sock = dir.resolve("agent.sock");
        String handler = Echo.class.getName();
        FunctionTable table = FunctionTable.parse(MAIN + "\t" + handler + "\tcallee\t\t" + dir + "\ncallee\t" + handler + "\t\t\t" + dir + "\n");
        FunctionRunner runner = new FunctionRunner(table, new Calls(""), Map.of());
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            runner.load(MAIN);
            runner.load("callee");
            Worker worker = new Worker(MAIN, sock, MAIN).callsOnReader() // as the function's worker serves
                    .otherwise((req, res) -> res.end(runner.invoke(Invocation.of(req.event(), MAIN), req.readAll())));
            Thread serving = Thread.ofPlatform().name("steward-warmup").start(() -> {
                try {
                    worker.run();
                } catch (IOException e) {
                    // the stand-in agent went: the warm-up's own failure says why
                }
            });
            try (SocketChannel agent = server.accept()) {
                // connected, and both functions loaded: the folder is needed no more, and a process killed during the
                // calls (a worker stopped while it warms up) leaves nothing behind in the temporary directory
                remove(dir);
                Link link = new Link(agent);
                link.await(Messages.HANDSHAKE);
                for (int i = 1; i <= calls && !stop.getAsBoolean(); i++) {
                    link.send(new WorkerMessage.Invoke(i, MAIN + "\t\t\t0\t").frame());
                    link.send(FrameWriter.chunk(i, (i % 2 == 0 ? ">x" : "x").getBytes(StandardCharsets.US_ASCII)));
                    link.send(FrameWriter.choke(i));
                    link.await(Messages.CHUNK);
                    link.await(Messages.CHOKE);
                }
                link.send(new WorkerMessage.Terminate(Messages.TERMINATE_NORMAL, "warmed up").frame());
                link.await(Messages.TERMINATE);
            }
            serving.join();
        }
    }

    /**
     * A jar written here (a manifest and a copy of {@link Echo}'s class) whose class is defined from it by a class loader
     * of its own, as a function's classes are, and then made and called.
     */
    private static void readJar(Path dir) throws Exception {
        Path jar = dir.resolve("warmup.jar");
        String name = Echo.class.getName();
        String entry = name.replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = Warmup.class.getClassLoader().getResourceAsStream(entry)) {
            if (in == null) throw new IOException("the warm-up finds no " + entry);
            bytes = in.readAllBytes();
        }
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            out.write("Manifest-Version: 1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.closeEntry();
            out.putNextEntry(new ZipEntry(entry));
            out.write(bytes);
            out.closeEntry();
        }
        try (URLClassLoader loader = new URLClassLoader("function-" + MAIN, new URL[] {jar.toUri().toURL()}, Warmup.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (!n.equals(name)) return super.loadClass(n, resolve);
                synchronized (getClassLoadingLock(n)) { // this one from the jar, not from the parent that has it too
                    Class<?> c = findLoadedClass(n);
                    return c != null ? c : findClass(n);
                }
            }
        }) {
            Class<?> c = Class.forName(name, true, loader);
            if (c.getClassLoader() != loader) throw new IOException("the warm-up's class came from " + c.getClassLoader() + ", not its jar");
            Function f = (Function) c.getDeclaredConstructor().newInstance();
            if (f.handle(new byte[] {'x'}, null).length != 1) throw new IOException("the warm-up's class from its jar did not echo");
        }
    }

    /** The stand-in agent's end of the connection. */
    private static final class Link {
        private final SocketChannel ch;
        private final FrameReader reader = new FrameReader();
        private final ArrayDeque<Frame> frames = new ArrayDeque<>();
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);

        Link(SocketChannel ch) {
            this.ch = ch;
        }

        void send(Frame f) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(FrameWriter.encode(f));
            while (b.hasRemaining()) ch.write(b);
        }

        /** Reads up to the next frame of {@code message} (heartbeats skipped); anything else fails the warm-up. */
        void await(int message) throws IOException, ProtocolException {
            while (true) {
                Frame f = frames.pollFirst();
                if (f == null) {
                    int n = ch.read(buf.clear());
                    if (n < 0) throw new IOException("the warm-up's worker closed its connection");
                    frames.addAll(reader.feed(buf.array(), 0, n));
                    continue;
                }
                if (f.message() == message) return;
                if (f.message() != Messages.HEARTBEAT) throw new IOException("the warm-up's worker sent " + f + " where message " + message + " was due");
            }
        }
    }
}
