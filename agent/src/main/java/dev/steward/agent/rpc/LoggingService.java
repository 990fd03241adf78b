package dev.steward.agent.rpc;

import dev.steward.protocol.Frame;
import dev.steward.protocol.Messages;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * {@code logging}: {@code emit(priority, source, message)} appends a line to {@code logs/apps.log};
 * {@code verbosity()} says which priorities are kept (all: 0, debug). Client frameworks resolve it
 * when they start.
 */
final class LoggingService implements RpcService, AutoCloseable {
    private static final String[] LEVELS = {"debug", "info", "warning", "error"};
    private final BufferedWriter out;
    private final Clock clock;

    LoggingService(Path file, Clock clock) throws IOException {
        Files.createDirectories(file.getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.clock = clock;
    }

    @Override
    public String name() {
        return "logging";
    }

    @Override
    public Map<Integer, String> methods() {
        return Map.of(Messages.EMIT, "emit", Messages.VERBOSITY, "verbosity");
    }

    @Override
    public void call(Frame request, Session session) throws BadArguments, IOException {
        List<Value> args = request.args();
        if (request.message() == Messages.VERBOSITY) {
            Args.count(args, 0, 0, "verbosity");
            session.value(ValueFactory.newInteger(0));
            return;
        }
        Args.count(args, 3, 4, "emit");
        int priority = Args.integer(args, 0, "the priority");
        String source = Args.text(args, 1, "the source");
        String message = Args.text(args, 2, "the message");
        String level = priority >= 0 && priority < LEVELS.length ? LEVELS[priority] : Integer.toString(priority);
        synchronized (out) {
            out.write(clock.instant() + " " + level + " " + source + ": " + message.replace('\n', ' ') + "\n");
            out.flush();
        }
        session.choke();
    }

    @Override
    public void close() throws IOException {
        synchronized (out) {
            out.close();
        }
    }
}
