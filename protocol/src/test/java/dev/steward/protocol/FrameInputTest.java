package dev.steward.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameInputTest {
    @Test
    void framesOfOneReadAreGivenInTurnAndPeekedWithoutReadingThenTheEndIsNull() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(FrameWriter.encode(FrameWriter.chunk(1, "a".getBytes(StandardCharsets.US_ASCII))));
        bytes.writeBytes(FrameWriter.encode(FrameWriter.choke(1)));
        FrameInput in = new FrameInput(new ByteArrayInputStream(bytes.toByteArray()), "the test");
        assertThat(in.peek()).as("nothing read yet").isNull();
        assertThat(in.next().message()).isEqualTo(Messages.CHUNK);
        assertThat(in.peek().message()).isEqualTo(Messages.CHOKE);
        assertThat(in.next().message()).isEqualTo(Messages.CHOKE);
        assertThat(in.next()).isNull();
    }

    @Test
    void aFrameCutInHalfWaitsForItsRestAndABrokenOneNamesItsSender() throws Exception {
        byte[] whole = FrameWriter.encode(FrameWriter.chunk(7, "hello".getBytes(StandardCharsets.US_ASCII)));
        // one byte per read: the frame is given only once all of it has come
        FrameInput in = new FrameInput(new ByteArrayInputStream(whole) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        }, "the test");
        assertThat(in.next().session()).isEqualTo(7);
        FrameInput broken = new FrameInput(new ByteArrayInputStream(new byte[] {(byte) 0xc1, 1, 2}), "the worker beside");
        assertThatThrownBy(broken::next).isInstanceOf(IOException.class).hasMessageStartingWith("the worker beside sent a broken frame: ");
    }
}
