package dev.steward.agent.logs;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The directories of instances' output files, watched through inotify: which files grew. */
final class Watches implements AutoCloseable {
    private final WatchService service;
    private final Set<Path> dirs = new HashSet<>();

    Watches() {
        WatchService s;
        try {
            s = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            System.err.println("steward: log stamping falls back to looking every few seconds: " + e.getMessage());
            s = null;
        }
        this.service = s;
    }

    void watch(Path dir) {
        if (service == null || !dirs.add(dir)) return;
        try {
            dir.register(service, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException e) {
            dirs.remove(dir); // not there yet: the next follow in it tries again, the sweep copies meanwhile
        }
    }

    /** The files that changed, waiting up to {@code millis} for the first. */
    Set<Path> changed(long millis) throws InterruptedException {
        if (service == null) {
            Thread.sleep(millis);
            return Set.of();
        }
        Set<Path> out = new LinkedHashSet<>();
        for (WatchKey k = service.poll(millis, TimeUnit.MILLISECONDS); k != null; k = service.poll()) {
            Path dir = (Path) k.watchable();
            for (var e : k.pollEvents()) {
                if (e.context() instanceof Path p && p.toString().endsWith(".out")) out.add(dir.resolve(p));
            }
            if (!k.reset()) dirs.remove(dir); // the directory went (its service was removed)
        }
        return out;
    }

    @Override
    public void close() {
        if (service == null) return;
        try {
            service.close();
        } catch (IOException ignored) {
            // closing: nothing more to watch
        }
    }
}
