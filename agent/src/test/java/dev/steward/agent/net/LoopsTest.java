package dev.steward.agent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.netty.channel.DefaultEventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopsTest {
    @Test
    void workPostedToARunningLoopRunsThere() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            CountDownLatch ran = new CountDownLatch(1);
            Loops.post(loop, () -> {
                if (loop.inEventLoop()) ran.countDown();
            });
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    @Test
    void workPostedToALoopThatHasStoppedIsDroppedNotThrownAtThePoster() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        assertThat(loop.isTerminated()).isTrue();
        boolean[] ran = {false};
        assertThatCode(() -> Loops.post(loop, () -> ran[0] = true)).doesNotThrowAnyException();
        assertThat(ran[0]).isFalse();
    }
}
