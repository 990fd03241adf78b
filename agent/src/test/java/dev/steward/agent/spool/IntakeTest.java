package dev.steward.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads: each within the archive limit, together within the spooling limit, their files gone once closed. */
class IntakeTest {
    @TempDir Path tmp;
    final Limits limits = Limits.DEFAULT.withUploads(10 << 20, 16 << 20);

    Intake intake() {
        return new Intake(tmp.resolve("uploads"), limits);
    }

    long files() throws Exception {
        try (Stream<Path> s = Files.list(tmp.resolve("uploads"))) {
            return s.count();
        }
    }

    @Test
    void anUploadIsWrittenToItsFileAndRemovedWhenClosed() throws Exception {
        Intake intake = intake();
        byte[] body = Files.readAllBytes(Archives.tar(tmp.resolve("a.tar"), java.util.List.of(Archives.E.file("a", "x"))));
        Path file;
        try (Upload u = intake.begin(-1)) {
            u.receive(new ByteArrayInputStream(body));
            file = u.file();
            assertThat(Files.readAllBytes(file)).isEqualTo(body);
            assertThat(u.size()).isEqualTo(body.length);
            assertThat(u.format()).contains(Format.TAR);
            assertThat(intake.held()).isEqualTo(Intake.STEP);
        }
        assertThat(file).doesNotExist();
        assertThat(intake.held()).isZero();
    }

    @Test
    void aDeclaredSizeOverTheLimitIsRefusedAtOnce() throws Exception {
        assertThatThrownBy(() -> intake().begin((10 << 20) + 1)).isInstanceOf(UploadRefusedException.class)
                .hasMessage("the upload is larger than 10485760 bytes")
                .extracting(e -> ((UploadRefusedException) e).reason()).isEqualTo(UploadRefusedException.Reason.TOO_LARGE);
    }

    @Test
    void anUndeclaredBodyIsCutOffAtTheLimit() throws Exception {
        Intake intake = intake();
        try (Upload u = intake.begin(-1)) {
            assertThatThrownBy(() -> u.receive(zeros(11 << 20))).isInstanceOf(UploadRefusedException.class).hasMessageContaining("larger than");
            assertThat(Files.size(u.file())).isLessThanOrEqualTo(10 << 20);
        }
        assertThat(files()).isZero();
        assertThat(intake.held()).isZero();
    }

    @Test
    void uploadsOverTheSpoolingLimitAreToldToRetryUntilOthersAreDone() throws Exception {
        Intake intake = intake();
        Upload first = intake.begin(10 << 20);
        try (Upload second = intake.begin(-1)) {
            second.receive(zeros(5 << 20));
            assertThatThrownBy(() -> second.receive(zeros(2 << 20))).isInstanceOf(UploadRefusedException.class)
                    .hasMessage("the agent is taking 16777216 bytes of uploads already (limit: 16777216 at once); retry later")
                    .extracting(e -> ((UploadRefusedException) e).reason()).isEqualTo(UploadRefusedException.Reason.BUSY);
            assertThatThrownBy(() -> intake.begin(1)).hasMessageContaining("retry later");
        }
        first.close();
        assertThat(intake.held()).isZero();
        try (Upload again = intake.begin(10 << 20)) {
            assertThat(intake.held()).isEqualTo(10 << 20);
        }
        assertThat(files()).isZero();
    }

    @Test
    void whatAnInterruptedUploadLeftIsRemovedAtStart() throws Exception {
        Files.createDirectories(tmp.resolve("uploads"));
        Files.writeString(tmp.resolve("uploads/upload-123.part"), "half");
        intake();
        assertThat(files()).isZero();
    }

    static InputStream zeros(long n) {
        return new InputStream() {
            long left = n;

            @Override
            public int read() {
                return left-- > 0 ? 0 : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) return -1;
                int k = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + k, (byte) 0);
                left -= k;
                return k;
            }
        };
    }
}
