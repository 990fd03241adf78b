package dev.steward.agent.net;

import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Hands an io_uring loop's queued operations to the kernel at once, rather than when the loop has handled every
 * completion of its batch (Netty's io_uring loop submits what its handlers queued only then): a response flushed for
 * one connection goes out before the loop turns to the next connection's bytes, as a write does under epoll. Reaches
 * Netty's submission queue through its package-private classes (the agent runs on the class path); where they are not
 * as expected, or the channel is not io_uring's, it does nothing. Asked for with {@code -Dsteward.gateway.submit-now=true}.
 */
public final class SubmitNow {
    public static final boolean ON = Boolean.getBoolean("steward.gateway.submit-now");
    private static final MethodHandle REGISTRATION;
    private static final MethodHandle HANDLER;
    private static final MethodHandle RING;
    private static final MethodHandle QUEUE;
    private static final MethodHandle SUBMIT;
    private static final Class<?> CHANNEL;

    static {
        MethodHandle reg = null, handler = null, ring = null, queue = null, submit = null;
        Class<?> channel = null;
        if (ON) {
            try {
                channel = Class.forName("io.netty.channel.uring.AbstractIoUringChannel");
                Class<?> registration = Class.forName("io.netty.channel.uring.IoUringIoHandler$DefaultIoUringIoRegistration");
                Class<?> ioHandler = Class.forName("io.netty.channel.uring.IoUringIoHandler");
                Class<?> ringBuffer = Class.forName("io.netty.channel.uring.RingBuffer");
                Class<?> sq = Class.forName("io.netty.channel.uring.SubmissionQueue");
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(channel, MethodHandles.lookup());
                reg = l.findVirtual(channel, "registration", MethodType.methodType(io.netty.channel.IoRegistration.class));
                handler = MethodHandles.privateLookupIn(registration, MethodHandles.lookup()).findGetter(registration, "this$0", ioHandler);
                ring = MethodHandles.privateLookupIn(ioHandler, MethodHandles.lookup()).findGetter(ioHandler, "ringBuffer", ringBuffer);
                queue = MethodHandles.privateLookupIn(ringBuffer, MethodHandles.lookup())
                        .findVirtual(ringBuffer, "ioUringSubmissionQueue", MethodType.methodType(sq));
                submit = MethodHandles.privateLookupIn(sq, MethodHandles.lookup()).findVirtual(sq, "submit", MethodType.methodType(int.class));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                System.err.println("steward: gateway: submit-now is not available (" + e + ")");
                channel = null;
            }
        }
        CHANNEL = channel;
        REGISTRATION = reg;
        HANDLER = handler;
        RING = ring;
        QUEUE = queue;
        SUBMIT = submit;
    }

    /** The calling loop's submission queue, found from the first io_uring channel it asks for; null when none. */
    private static final FastThreadLocal<Object> QUEUES = new FastThreadLocal<>();

    private SubmitNow() {}

    /** Submits what the loop of {@code ch} (the calling thread) has queued, when asked for and io_uring's. */
    public static void after(Channel ch) {
        if (CHANNEL == null || !CHANNEL.isInstance(ch)) return;
        try {
            Object q = QUEUES.get();
            if (q == null) {
                Object registration = REGISTRATION.invoke(ch);
                if (registration == null) return;
                q = QUEUE.invoke(RING.invoke(HANDLER.invoke(registration)));
                QUEUES.set(q);
            }
            SUBMIT.invoke(q);
        } catch (Throwable e) {
            if (e instanceof Error err && !(e instanceof LinkageError)) throw err;
        }
    }
}
