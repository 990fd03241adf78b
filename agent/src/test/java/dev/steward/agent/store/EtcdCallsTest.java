package dev.steward.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How calls to etcd fail and are made again, without an etcd: the answers are made up. */
class EtcdCallsTest {
    final EtcdCalls calls = new EtcdCalls(List.of("http://10.0.0.1:2379"), false);

    static <T> CompletableFuture<T> failing(Status status) {
        return CompletableFuture.failedFuture(new StatusRuntimeException(status));
    }

    @Test
    void aCallRefusedForWantOfALeaderIsMadeAgain() {
        AtomicInteger made = new AtomicInteger();
        String answer = calls.call("write", () -> made.incrementAndGet() == 1
                ? failing(Status.UNAVAILABLE.withDescription("etcdserver: request timed out, possibly due to previous leader failure"))
                : CompletableFuture.completedFuture("done"));
        assertThat(answer).isEqualTo("done");
        assertThat(made).hasValue(2);
        assertThat(calls.unavailable()).isEmpty();
    }

    @Test
    void etcdUnreachableMarksTheStoreUnavailableUntilACallAnswers() throws Exception {
        CountDownLatch returned = new CountDownLatch(1);
        calls.onReturn(returned::countDown);
        AtomicInteger made = new AtomicInteger();
        assertThatThrownBy(() -> calls.call("write", () -> {
            made.incrementAndGet();
            return failing(Status.UNAVAILABLE.withDescription("io exception"));
        })).isInstanceOf(StoreUnavailableException.class).hasMessageStartingWith("cluster store unavailable (etcd at http://10.0.0.1:2379): write: ");
        assertThat(made).as("not made again: jetcd tries the other members itself").hasValue(1);
        assertThat(calls.unavailable()).hasValueSatisfying(why -> assertThat(why).contains("io exception"));
        assertThat(calls.timeout()).isEqualTo(EtcdCalls.SHORT);

        assertThat(calls.call("read", () -> CompletableFuture.completedFuture(1))).isEqualTo(1);
        assertThat(calls.unavailable()).isEmpty();
        assertThat(returned.await(5, TimeUnit.SECONDS)).as("told that etcd answers again").isTrue();
    }

    @Test
    void aRefusalThatIsNotAboutReachingEtcdLeavesItAvailable() {
        assertThatThrownBy(() -> calls.call("revoke", () -> failing(Status.NOT_FOUND.withDescription("etcdserver: requested lease not found"))))
                .isInstanceOf(StoreException.class).isNotInstanceOf(StoreUnavailableException.class);
        assertThat(calls.unavailable()).isEmpty();
    }
}
