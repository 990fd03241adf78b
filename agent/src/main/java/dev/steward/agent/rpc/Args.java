package dev.steward.agent.rpc;

import java.util.List;
import org.msgpack.value.Value;

/** Reading a call's arguments, with errors that name what is wrong. */
public final class Args {
    private Args() {}

    public static void count(List<Value> args, int min, int max, String method) throws BadArguments {
        if (args.size() < min || args.size() > max) {
            throw new BadArguments(method + " takes " + (min == max ? Integer.toString(min) : min + " to " + max) + " arguments, not " + args.size());
        }
    }

    public static String text(List<Value> args, int i, String what) throws BadArguments {
        Value v = args.get(i);
        if (!v.isRawValue()) throw new BadArguments(what + " must be a string, not " + v.getValueType().name().toLowerCase());
        return v.asRawValue().asString();
    }

    public static int integer(List<Value> args, int i, String what) throws BadArguments {
        Value v = args.get(i);
        if (!v.isIntegerValue() || !v.asIntegerValue().isInIntRange()) throw new BadArguments(what + " must be an integer");
        return v.asIntegerValue().toInt();
    }
}
