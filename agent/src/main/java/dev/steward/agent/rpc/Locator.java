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
 * only sends the table to those who synchronize again, and answers nil). The one owner of this node's
 * table; in a cluster a name not served here is looked for {@link Beyond} it (another node's app), and
 * {@code NAME@NODE} names one node's own service ({@code node@b}: node b's {@code node} service).
 */
final class Locator implements RpcService {
    private final Map<String, Located> table = new LinkedHashMap<>();
    private final List<Session> watchers = new CopyOnWriteArrayList<>();
    private volatile Beyond beyond = Beyond.NONE;
    private volatile String self = "";
    private volatile Runnable onChange = () -> {};

    @Override
    public String name() {
        return "locator";
    }

    @Override
    public Map<Integer, String> methods() {
        return Map.of(Messages.RESOLVE, "resolve", Messages.SYNCHRONIZE, "synchronize", Messages.REPORTS, "reports", Messages.REFRESH, "refresh");
    }

    synchronized void publish(String name, Located e) {
        table.put(name, e);
        changed();
        onChange.run();
    }

    synchronized void withdraw(String name) {
        if (table.remove(name) != null) {
            changed();
            onChange.run();
        }
    }

    synchronized Located get(String name) {
        return table.get(name);
    }

    /** This node's own table, as published here. */
    synchronized Map<String, Located> local() {
        return Map.copyOf(table);
    }

    /** In a cluster: this node's name and what lies beyond it; {@code onChange} runs after each change of this node's table. */
    void reach(String node, Beyond others, Runnable changes) {
        self = node;
        beyond = others;
        onChange = changes;
    }

    /** What lies beyond changed: those who synchronize get the table again. */
    synchronized void beyondChanged() {
        changed();
    }

    /** Where {@code name} is served: here, else beyond this node; {@code NAME@NODE} on that node alone. */
    Located find(String name) {
        Located here = get(name);
        if (here != null) return here;
        int at = name.lastIndexOf('@');
        if (at > 0 && name.substring(at + 1).equals(self)) return get(name.substring(0, at));
        return beyond.find(name);
    }

    /** Every name resolvable here: this node's, then those beyond it that this node does not serve itself. */
    private synchronized Map<String, Located> resolvable() {
        Map<String, Located> all = new LinkedHashMap<>(table);
        beyond.all().forEach(all::putIfAbsent);
        return all;
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
            Located e = find(name);
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
    static Value describe(Located e) {
        Map<Value, Value> m = new LinkedHashMap<>();
        e.methods().forEach((id, n) -> m.put(ValueFactory.newInteger(id), FrameWriter.text(n)));
        return ValueFactory.newArray(
                ValueFactory.newArray(FrameWriter.text(e.host()), ValueFactory.newInteger(e.port())),
                ValueFactory.newInteger(e.version()),
                ValueFactory.newMap(m));
    }

    private Value reports() {
        Map<Value, Value> all = new LinkedHashMap<>();
        resolvable().forEach((name, e) -> all.put(FrameWriter.text(name), ValueFactory.newMap(Map.of(
                FrameWriter.text("endpoint"), FrameWriter.text(e.host() + ":" + e.port()),
                FrameWriter.text("version"), ValueFactory.newInteger(e.version())))));
        return ValueFactory.newMap(all);
    }

    private Value whole() {
        Map<Value, Value> all = new LinkedHashMap<>();
        resolvable().forEach((name, e) -> all.put(FrameWriter.text(name), describe(e)));
        return ValueFactory.newMap(all);
    }
}
