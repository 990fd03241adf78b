package dev.steward.agent.functions;

import dev.steward.agent.engine.SessionSink;
import dev.steward.agent.rpc.Args;
import dev.steward.agent.rpc.RpcService;
import dev.steward.agent.rpc.Session;
import dev.steward.protocol.Frame;
import java.util.List;
import java.util.Map;
import org.msgpack.value.Value;

/**
 * Where a handler's other-worker calls come in, on the node's unix socket {@code DATA/run/fn-calls.sock}
 * ({@code STEWARD_CALLS} in a function worker's environment): {@code invoke(token, caller, callee, depth,
 * data)}, the callee's reply streamed back on the session. The token is the calling invocation's, so a
 * call is made on behalf of a running invocation only, by a function its worker runs, to a callee that
 * function declared, within the invocation's time.
 */
final class CallDoor implements RpcService {
    static final int INVOKE = 0;
    private final Functions functions;

    CallDoor(Functions functions) {
        this.functions = functions;
    }

    @Override
    public String name() {
        return "fn-calls";
    }

    @Override
    public Map<Integer, String> methods() {
        return Map.of(INVOKE, "invoke");
    }

    @Override
    public boolean inline(long method) {
        return true; // only hands the call on
    }

    @Override
    public void call(Frame request, Session session) throws Exception {
        List<Value> args = request.args();
        Args.count(args, 5, 5, "invoke");
        String token = Args.text(args, 0, "the token");
        String caller = Args.text(args, 1, "the caller");
        String callee = Args.text(args, 2, "the callee");
        int depth = Args.integer(args, 3, "the depth");
        Value data = args.get(4);
        byte[] bytes = data.isRawValue() ? data.asRawValue().asByteArray() : new byte[0];
        functions.call(token, caller, callee, depth, bytes, new SessionSink(session));
    }
}
