package dev.steward.protocol;

import java.util.Arrays;
import java.util.List;
import org.msgpack.value.ValueFactory;

/**
 * The messages of the worker protocol, spoken between the agent and an app's worker over the app's
 * socket: {@link FromWorker} what a worker sends, {@link ToWorker} what the agent sends. Each is a
 * record read from a {@link Frame} by {@code decode}, which names what is wrong with a frame that is
 * not the message it says it is, and written back by {@link #frame()}.
 *
 * <p>Arguments past those a message reads are ignored, except a chunk's: a chunk is exactly
 * {@code [data]}. A terminate is never refused (a worker leaving must not turn into a crash): a
 * missing or odd code reads as {@link Messages#TERMINATE_NORMAL}, a missing or odd reason as empty.
 */
public sealed interface WorkerMessage {
    /** The frame that carries this message. */
    Frame frame();

    /** What a worker sends the agent. */
    sealed interface FromWorker extends WorkerMessage permits Handshake, BothWays {
        /** The message {@code f} carries, checked; a {@link ProtocolException} says what is wrong. */
        static FromWorker decode(Frame f) throws ProtocolException {
            FrameArgs a = new FrameArgs(f);
            return f.message() == Messages.HANDSHAKE ? Handshake.read(a) : BothWays.read(a, "a worker");
        }
    }

    /** What the agent sends a worker. */
    sealed interface ToWorker extends WorkerMessage permits Invoke, BothWays {
        /** The message {@code f} carries, checked; a {@link ProtocolException} says what is wrong. */
        static ToWorker decode(Frame f) throws ProtocolException {
            FrameArgs a = new FrameArgs(f);
            return f.message() == Messages.INVOKE ? Invoke.read(a) : BothWays.read(a, "the agent");
        }
    }

    /** What either side sends. */
    sealed interface BothWays extends FromWorker, ToWorker permits Heartbeat, Terminate, Chunk, Error, Choke {
        private static BothWays read(FrameArgs a, String sender) throws ProtocolException {
            Frame f = a.frame();
            return switch ((int) f.message()) {
                case Messages.HEARTBEAT -> new Heartbeat();
                case Messages.TERMINATE -> Terminate.read(a);
                case Messages.CHUNK -> Chunk.read(a);
                case Messages.ERROR -> Error.read(a);
                case Messages.CHOKE -> new Choke(f.session());
                default -> throw new ProtocolException("message " + f.message() + " is not one " + sender + " sends");
            };
        }
    }

    /** A worker's first message: the uuid the agent started it with. Session 0, {@code [uuid]}. */
    record Handshake(String uuid) implements FromWorker {
        public Handshake {
            if (uuid == null) throw new IllegalArgumentException("uuid: null");
        }

        static Handshake read(FrameArgs a) throws ProtocolException {
            if (a.frame().session() != 0) throw a.wrong("the session must be 0, got " + a.frame().sessionText());
            a.exactly(1);
            return new Handshake(a.text(0));
        }

        @Override
        public Frame frame() {
            return new Frame(Messages.HANDSHAKE, 0, List.of(FrameWriter.text(uuid)));
        }
    }

    /** I am alive: a worker's every few seconds, and the agent's answer to each. Session 0, no arguments. */
    record Heartbeat() implements BothWays {
        @Override
        public Frame frame() {
            return new Frame(Messages.HEARTBEAT, 0, List.of());
        }
    }

    /**
     * The agent asks a worker to end, or a worker says it ends ({@link Messages#TERMINATE_ABNORMAL}:
     * the app cannot work). Session 0, {@code [code, reason]}.
     */
    record Terminate(int code, String reason) implements BothWays {
        public Terminate {
            if (reason == null) throw new IllegalArgumentException("reason: null");
        }

        static Terminate read(FrameArgs a) {
            return new Terminate(a.integerOr(0, Messages.TERMINATE_NORMAL), a.textOr(1, ""));
        }

        @Override
        public Frame frame() {
            return new Frame(Messages.TERMINATE, 0, List.of(ValueFactory.newInteger(code), FrameWriter.text(reason)));
        }
    }

    /** The agent hands a worker an event on a new session; its data follows as chunks, then a choke. {@code [event]}. */
    record Invoke(long session, String event) implements ToWorker {
        public Invoke {
            if (event == null) throw new IllegalArgumentException("event: null");
        }

        static Invoke read(FrameArgs a) throws ProtocolException {
            a.exactly(1);
            return new Invoke(a.frame().session(), a.text(0));
        }

        @Override
        public Frame frame() {
            return new Frame(Messages.INVOKE, session, List.of(FrameWriter.text(event)));
        }
    }

    /** A piece of a session's stream: the event's data to a worker, its reply from one. {@code [data]}. */
    record Chunk(long session, byte[] data) implements BothWays {
        public Chunk {
            if (data == null) throw new IllegalArgumentException("data: null");
        }

        static Chunk read(FrameArgs a) throws ProtocolException {
            a.exactly(1);
            return new Chunk(a.frame().session(), a.bytes(0));
        }

        @Override
        public Frame frame() {
            return FrameWriter.chunk(session, data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Chunk c && c.session == session && Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(session) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Chunk[session=" + Long.toUnsignedString(session) + ", " + data.length + " bytes]";
        }
    }

    /** A session failed ({@link Messages} error codes); its choke follows. {@code [code, message]}. */
    record Error(long session, int code, String message) implements BothWays {
        public Error {
            if (message == null) throw new IllegalArgumentException("message: null");
        }

        static Error read(FrameArgs a) throws ProtocolException {
            a.atLeast(2);
            return new Error(a.frame().session(), a.integer(0), a.text(1));
        }

        @Override
        public Frame frame() {
            return FrameWriter.error(session, code, message);
        }
    }

    /** The end of a session's stream from the side that sends it. No arguments. */
    record Choke(long session) implements BothWays {
        @Override
        public Frame frame() {
            return FrameWriter.choke(session);
        }
    }
}
