package dev.steward.agent.engine;

import dev.steward.agent.Json;
import dev.steward.agent.rpc.Args;
import dev.steward.agent.rpc.BadArguments;
import dev.steward.agent.rpc.RpcService;
import dev.steward.agent.rpc.Session;
import dev.steward.protocol.Frame;
import dev.steward.protocol.Messages;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.value.Value;

/**
 * One app's (or function's) service, published under its name: {@code enqueue(event, data, tag?, timeout?)}
 * relays the worker's reply as it comes; {@code info()} describes the queue and the pool.
 * {@code timeout} (seconds) is Steward's addition: the most the event may take, queue included.
 */
public final class AppService implements RpcService {
    private final Invocable engine;

    public AppService(Invocable engine) {
        this.engine = engine;
    }

    @Override
    public String name() {
        return engine.name();
    }

    @Override
    public Map<Integer, String> methods() {
        return Map.of(Messages.ENQUEUE, "enqueue", Messages.INFO, "info");
    }

    @Override
    public boolean inline(long method) {
        return method == Messages.ENQUEUE;
    }

    @Override
    public void call(Frame request, Session session) throws Exception {
        List<Value> args = request.args();
        if (request.message() == Messages.ENQUEUE) {
            Args.count(args, 2, 4, "enqueue");
            String event = Args.text(args, 0, "the event");
            byte[] data = bytes(args.get(1));
            String tag = args.size() > 2 && !args.get(2).isNilValue() ? Args.text(args, 2, "the tag") : "";
            Duration timeout = args.size() > 3 ? seconds(args.get(3)) : Duration.ZERO;
            engine.enqueue(event, data, tag, timeout, new SessionSink(session));
            return;
        }
        Args.count(args, 0, 0, "info");
        Map<String, Object> info = new java.util.LinkedHashMap<>(engine.info().get(5, TimeUnit.SECONDS));
        info.put("slaves", info.remove("pool")); // Cocaine's tools read the pool under its own word
        session.value(Values.of(Json.MAPPER.convertValue(info, Object.class)));
    }

    /** Data as given: raw bytes as they are, nil as nothing, anything else in its msgpack encoding. */
    static byte[] bytes(Value v) throws java.io.IOException {
        if (v.isRawValue()) return v.asRawValue().asByteArray();
        if (v.isNilValue()) return new byte[0];
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packValue(v);
            return p.toByteArray();
        }
    }

    private static Duration seconds(Value v) throws BadArguments {
        if (v.isNilValue()) return Duration.ZERO;
        double s;
        if (v.isIntegerValue()) s = v.asIntegerValue().toLong();
        else if (v.isFloatValue()) s = v.asFloatValue().toDouble();
        else throw new BadArguments("the timeout must be a number of seconds");
        if (!(s >= 0) || s > 86_400 * 365) throw new BadArguments("the timeout must be between 0 and a year of seconds");
        return Duration.ofNanos((long) (s * 1e9));
    }
}
