package dev.steward.agent.rpc;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * The locator: where each service listens, by name. {@code resolve} answers one name; {@code
 * synchronize} streams the whole table now and again on every change; as in Cocaine 0.11, {@code
 * reports} tells what it serves ({@code {name: {endpoint: "HOST:PORT", version: N}}}) and {@code
 * refresh NAME} re-reads a name's routing (Steward has no routing groups: each name is its own, so it
 * only sends the table to those who synchronize again, and answers nil). The one owner of the table.
 */
final class Locator implements RpcService {
    /** A published service. */
    record Entry(String host, int port, int version, Map<Integer, String> methods) {}

    private final Map<String, Entry> table = new LinkedHashMap<>();
    private final List<Session> watchers = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "locator";
    }

    @Override
    public Map<Integer, String> methods() {
        return Map.of(Messages.RESOLVE, "resolve", Messages.SYNCHRONIZE, "synchronize", Messages.REPORTS, "reports", Messages.REFRESH, "refresh");
    }

    synchronized void publish(String name, Entry e) {
        table.put(name, e);
        changed();
    }

    synchronized void withdraw(String name) {
        if (table.remove(name) != null) changed();
    }

    synchronized Entry get(String name) {
        return table.get(name);
    }

    private void changed() {
        byte[] now = FrameWriter.value(whole());
        for (Session s : watchers) {
            if (s.open()) s.chunk(now);
            else watchers.remove(s);
        }
    }

    @Override
    public void call(Frame request, Session session) throws BadArguments {
        List<Value> args = request.args();
        if (request.message() == Messages.RESOLVE) {
            Args.count(args, 1, 1, "resolve");
            String name = Args.text(args, 0, "the service name");
            Entry e = get(name);
            if (e == null) session.error(Messages.INVOCATION_ERROR, "service " + name + " is not available");
            else session.value(describe(e));
        } else if (request.message() == Messages.REPORTS) {
            Args.count(args, 0, 0, "reports");
            session.value(reports());
        } else if (request.message() == Messages.REFRESH) {
            Args.count(args, 1, 1, "refresh");
            Args.text(args, 0, "the name to refresh");
            synchronized (this) {
                changed();
            }
            session.value(ValueFactory.newNil());
        } else {
            Args.count(args, 0, 0, "synchronize");
            synchronized (this) {
                session.chunk(FrameWriter.value(whole()));
                watchers.add(session);
            }
        }
    }

    /** {@code [[host, port], version, {id: name}]}. */
    static Value describe(Entry e) {
        Map<Value, Value> m = new LinkedHashMap<>();
        e.methods().forEach((id, n) -> m.put(ValueFactory.newInteger(id), FrameWriter.text(n)));
        return ValueFactory.newArray(
                ValueFactory.newArray(FrameWriter.text(e.host()), ValueFactory.newInteger(e.port())),
                ValueFactory.newInteger(e.version()),
                ValueFactory.newMap(m));
    }

    private synchronized Value reports() {
        Map<Value, Value> all = new LinkedHashMap<>();
        table.forEach((name, e) -> all.put(FrameWriter.text(name), ValueFactory.newMap(Map.of(
                FrameWriter.text("endpoint"), FrameWriter.text(e.host() + ":" + e.port()),
                FrameWriter.text("version"), ValueFactory.newInteger(e.version())))));
        return ValueFactory.newMap(all);
    }

    private synchronized Value whole() {
        Map<Value, Value> all = new LinkedHashMap<>();
        table.forEach((name, e) -> all.put(FrameWriter.text(name), describe(e)));
        return ValueFactory.newMap(all);
    }
}
