package dev.steward.agent.engine;

import dev.steward.protocol.FrameWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/** Plain Java values (maps, lists, strings, numbers, booleans, null) as msgpack values, strings as old-spec raw. */
final class Values {
    private Values() {}

    static Value of(Object o) {
        return switch (o) {
            case null -> ValueFactory.newNil();
            case String s -> FrameWriter.text(s);
            case Boolean b -> ValueFactory.newBoolean(b);
            case Integer i -> ValueFactory.newInteger(i);
            case Long l -> ValueFactory.newInteger(l);
            case Number n when n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 9e15 -> ValueFactory.newInteger(n.longValue());
            case Number n -> ValueFactory.newFloat(n.doubleValue());
            case Map<?, ?> m -> {
                Map<Value, Value> out = new LinkedHashMap<>();
                m.forEach((k, v) -> out.put(FrameWriter.text(String.valueOf(k)), of(v)));
                yield ValueFactory.newMap(out);
            }
            case List<?> l -> ValueFactory.newArray(l.stream().map(Values::of).toList());
            default -> FrameWriter.text(o.toString());
        };
    }
}
