package dev.steward.agent.engine;

import dev.steward.agent.rpc.Args;
import dev.steward.agent.rpc.BadArguments;
import dev.steward.agent.rpc.RpcService;
import dev.steward.agent.rpc.Session;
import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/** {@code node}: start_app, pause_app, list. */
final class NodeService implements RpcService {
    private final Engine engine;

    NodeService(Engine engine) {
        this.engine = engine;
    }

    @Override
    public String name() {
        return "node";
    }

    @Override
    public Map<Integer, String> methods() {
        return Map.of(Messages.START_APP, "start_app", Messages.PAUSE_APP, "pause_app", Messages.LIST, "list");
    }

    @Override
    public void call(Frame request, Session session) throws BadArguments {
        List<Value> args = request.args();
        switch ((int) request.message()) {
            case Messages.START_APP -> {
                Args.count(args, 1, 1, "start_app");
                if (!args.get(0).isMapValue()) throw new BadArguments("start_app takes a map of app to profile");
                Map<Value, Value> out = new LinkedHashMap<>();
                for (var e : args.get(0).asMapValue().map().entrySet()) {
                    if (!e.getKey().isRawValue() || !e.getValue().isRawValue()) throw new BadArguments("start_app takes a map of app to profile, both strings");
                }
                for (var e : args.get(0).asMapValue().map().entrySet()) {
                    String app = e.getKey().asRawValue().asString();
                    out.put(FrameWriter.text(app), FrameWriter.text(outcome(() -> engine.start(app, e.getValue().asRawValue().asString()))));
                }
                session.value(ValueFactory.newMap(out));
            }
            case Messages.PAUSE_APP -> {
                Args.count(args, 1, 1, "pause_app");
                if (!args.get(0).isArrayValue() || !args.get(0).asArrayValue().list().stream().allMatch(Value::isRawValue)) {
                    throw new BadArguments("pause_app takes a list of app names");
                }
                Map<Value, Value> out = new LinkedHashMap<>();
                for (Value v : args.get(0).asArrayValue()) {
                    String app = v.asRawValue().asString();
                    out.put(FrameWriter.text(app), FrameWriter.text(outcome(() -> engine.pause(app))));
                }
                session.value(ValueFactory.newMap(out));
            }
            default -> {
                Args.count(args, 0, 0, "list");
                session.value(ValueFactory.newArray(engine.list().stream().map(FrameWriter::text).toList()));
            }
        }
    }

    private static String outcome(java.util.function.Supplier<String> action) {
        try {
            return action.get();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }
}
