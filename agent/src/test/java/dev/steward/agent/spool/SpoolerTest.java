package dev.steward.agent.spool;

import static dev.steward.agent.spool.Archives.E.dir;
import static dev.steward.agent.spool.Archives.E.exec;
import static dev.steward.agent.spool.Archives.E.file;
import static dev.steward.agent.spool.Archives.E.hardlink;
import static dev.steward.agent.spool.Archives.E.symlink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spooling good archives: unpacked whole with safe modes and inner links, checked before they are in place, cached by hash. */
class SpoolerTest {
    @TempDir Path tmp;

    Path cache() {
        return tmp.resolve("spool");
    }

    Spooler spooler() {
        return new Spooler(cache(), Limits.DEFAULT);
    }

    List<Path> inSpool() throws Exception {
        if (!Files.exists(cache())) return List.of();
        try (Stream<Path> s = Files.list(cache())) {
            return s.toList();
        }
    }

    @Test
    void aGoodArchiveIsUnpackedWithModesAndInnerLinksAndCachedByHash() throws Exception {
        Path a = Archives.tar(tmp.resolve("app.tar.gz"), List.of(exec("app/run.sh", "#!/bin/sh\necho hi\n"), file("app/data/x.txt", "x"),
                symlink("app/current", "data/x.txt"), symlink("app/up", "../app/data"), hardlink("app/copy.txt", "app/data/x.txt"),
                dir("./"), file("./app/./data/../y.txt", "y")));
        Path dir = spooler().spool(a);
        assertThat(dir.getParent()).isEqualTo(cache());
        assertThat(dir.getFileName().toString()).hasSize(64);
        assertThat(Files.isExecutable(dir.resolve("app/run.sh"))).isTrue();
        assertThat(Files.readString(dir.resolve("app/current"))).isEqualTo("x");
        assertThat(Files.readString(dir.resolve("app/up/x.txt"))).isEqualTo("x");
        assertThat(Files.readString(dir.resolve("app/copy.txt"))).isEqualTo("x");
        assertThat(Files.readString(dir.resolve("app/y.txt"))).isEqualTo("y");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwxr-xr-x");
        Files.writeString(dir.resolve("marker"), "kept");
        assertThat(spooler().spool(a)).isEqualTo(dir);
        assertThat(dir.resolve("marker")).exists();
    }

    @Test
    void modesAreOnly0755Or0644() throws Exception {
        Path a = Archives.tar(tmp.resolve("modes.tar"), List.of(file("suid", "x").mode(04755), file("sgid", "x").mode(02711),
                file("open", "x").mode(0666), file("none", "x").mode(0), dir("d").mode(01777)));
        Path dir = spooler().spool(a);
        assertThat(Files.getPosixFilePermissions(dir.resolve("suid"))).isEqualTo(Root.EXECUTABLE);
        assertThat(Files.getPosixFilePermissions(dir.resolve("sgid"))).isEqualTo(Root.EXECUTABLE);
        assertThat(Files.getPosixFilePermissions(dir.resolve("open"))).isEqualTo(Root.PLAIN);
        assertThat(Files.getPosixFilePermissions(dir.resolve("none"))).isEqualTo(Root.PLAIN);
        assertThat(Files.getPosixFilePermissions(dir.resolve("d"))).isEqualTo(Root.EXECUTABLE);
    }

    @Test
    void aZipIsUnpacked() throws Exception {
        Path dir = spooler().spool(Archives.zip(tmp.resolve("app.zip"), List.of(dir("lib"), file("lib/a.txt", "a"), file("b.txt", "b"))));
        assertThat(Files.readString(dir.resolve("lib/a.txt"))).isEqualTo("a");
        assertThat(Files.readString(dir.resolve("b.txt"))).isEqualTo("b");
    }

    @Test
    void theCheckRunsBeforeTheArchiveIsInPlaceAndARefusalLeavesNothing() throws Exception {
        Path a = Archives.tar(tmp.resolve("app.tar.gz"), List.of(file("worker", "x")));
        assertThatThrownBy(() -> spooler().spool(a, Format.TAR_GZ, d -> {
            assertThat(d.getFileName().toString()).startsWith(".unpacking-");
            throw new IllegalArgumentException("no manifest.json");
        })).hasMessage("no manifest.json");
        assertThat(inSpool()).isEmpty();
        Spooler.Spooled<String> ok = spooler().spool(a, Format.TAR_GZ, d -> "checked " + d.getFileName().toString().startsWith(".unpacking-"));
        assertThat(ok.checked()).isEqualTo("checked true");
        assertThat(inSpool()).containsExactly(ok.dir());
    }

    @Test
    void theSameBytesSpooledTwiceAtOnceEndInOnePlace() throws Exception {
        Path a = Archives.tar(tmp.resolve("a.tar"), List.of(file("big", "x".repeat(4 << 20))));
        Path b = Files.copy(a, tmp.resolve("b.tar"));
        Spooler s = spooler();
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> s.spool(a));
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> s.spool(b));
        assertThat(first.get()).isEqualTo(second.get());
        assertThat(inSpool()).containsExactly(first.get());
    }

    @Test
    void whatAnInterruptedUnpackLeftIsRemovedAtStart() throws Exception {
        Path left = Files.createDirectories(cache().resolve(".unpacking-123/a/b"));
        Files.writeString(left.resolve("f"), "x");
        Path kept = Files.createDirectories(cache().resolve("0".repeat(64)));
        spooler();
        assertThat(inSpool()).containsExactly(kept);
    }

    @Test
    void aDirectoryIsUsedWhereItIs() {
        assertThat(spooler().spool(tmp)).isEqualTo(tmp);
    }

    @Test
    void anythingElseIsRefused() throws Exception {
        Path other = Files.writeString(tmp.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> spooler().spool(other)).hasMessageContaining("neither a directory nor");
    }
}
