package dev.steward.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safe unpacking: a hostile archive suite is refused with nothing left behind; good archives are cached by hash. */
class SpoolerTest {
    @TempDir Path tmp;

    Path cache() {
        return tmp.resolve("spool");
    }

    Spooler spooler(Limits limits) {
        return new Spooler(cache(), limits);
    }

    /** Writes a .tar.gz whose entries are built by {@code body}. */
    interface TarBody {
        void write(TarArchiveOutputStream out) throws IOException;
    }

    Path tar(String name, TarBody body) throws IOException {
        Path p = tmp.resolve(name);
        try (OutputStream f = Files.newOutputStream(p);
             TarArchiveOutputStream out = new TarArchiveOutputStream(new GzipCompressorOutputStream(f))) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            body.write(out);
        }
        return p;
    }

    static void file(TarArchiveOutputStream out, String name, String content, int mode) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(b.length);
        e.setMode(mode);
        out.putArchiveEntry(e);
        out.write(b);
        out.closeArchiveEntry();
    }

    static void link(TarArchiveOutputStream out, String name, String target, byte type) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setLinkName(target);
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
    }

    void assertRefused(Path archive, String reason) {
        assertThatThrownBy(() -> spooler(Limits.DEFAULT).spool(archive)).isInstanceOf(SpoolException.class).hasMessageContaining(reason);
        assertNothingLeft();
    }

    void assertNothingLeft() {
        if (!Files.exists(cache())) return;
        try (Stream<Path> s = Files.list(cache())) {
            assertThat(s.toList()).isEmpty();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aGoodArchiveIsUnpackedWithModesAndInnerLinksAndCachedByHash() throws Exception {
        Path a = tar("app.tar.gz", out -> {
            file(out, "app/run.sh", "#!/bin/sh\necho hi\n", 0755);
            file(out, "app/data/x.txt", "x", 0644);
            link(out, "app/current", "data/x.txt", TarConstants.LF_SYMLINK);
            link(out, "app/copy.txt", "app/data/x.txt", TarConstants.LF_LINK);
        });
        Path dir = spooler(Limits.DEFAULT).spool(a);
        assertThat(dir.getParent()).isEqualTo(cache());
        assertThat(dir.getFileName().toString()).hasSize(64);
        assertThat(Files.isExecutable(dir.resolve("app/run.sh"))).isTrue();
        assertThat(Files.readString(dir.resolve("app/current"))).isEqualTo("x");
        assertThat(Files.readString(dir.resolve("app/copy.txt"))).isEqualTo("x");
        Files.writeString(dir.resolve("marker"), "kept");
        assertThat(spooler(Limits.DEFAULT).spool(a)).isEqualTo(dir);
        assertThat(dir.resolve("marker")).exists();
    }

    @Test
    void aDirectoryIsUsedWhereItIs() {
        assertThat(spooler(Limits.DEFAULT).spool(tmp)).isEqualTo(tmp);
    }

    @Test
    void tarSlipIsRefused() throws Exception {
        assertRefused(tar("slip.tar.gz", out -> {
            file(out, "ok.txt", "fine", 0644);
            file(out, "../../evil.txt", "evil", 0644);
        }), "leads outside");
        assertThat(tmp.getParent().resolve("evil.txt")).doesNotExist();
    }

    @Test
    void absolutePathsAreRefused() throws Exception {
        assertRefused(tar("abs.tar.gz", out -> file(out, "/tmp/steward-evil-abs.txt", "evil", 0644)), "absolute");
        assertThat(Path.of("/tmp/steward-evil-abs.txt")).doesNotExist();
    }

    @Test
    void symbolicLinksOutAreRefused() throws Exception {
        assertRefused(tar("sym.tar.gz", out -> link(out, "escape", "../../../etc", TarConstants.LF_SYMLINK)), "pointing outside");
        assertRefused(tar("symabs.tar.gz", out -> link(out, "escape", "/etc/passwd", TarConstants.LF_SYMLINK)), "absolute path");
    }

    @Test
    void writingThroughALinkIsRefused() throws Exception {
        assertRefused(tar("through.tar.gz", out -> {
            file(out, "inner/keep.txt", "k", 0644);
            link(out, "hop", "inner", TarConstants.LF_SYMLINK);
            file(out, "hop/evil.txt", "e", 0644);
        }), "symbolic link");
    }

    @Test
    void hardLinksOutAreRefused() throws Exception {
        assertRefused(tar("hard.tar.gz", out -> link(out, "passwd", "../../../../etc/passwd", TarConstants.LF_LINK)), "leads outside");
    }

    @Test
    void deviceNodesAreRefused() throws Exception {
        assertRefused(tar("dev.tar.gz", out -> {
            TarArchiveEntry e = new TarArchiveEntry("null", TarConstants.LF_CHR);
            e.setDevMajor(1);
            e.setDevMinor(3);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
        }), "device");
    }

    @Test
    void aZipBombIsCutOffAtTheSizeLimit() throws Exception {
        Path z = tmp.resolve("bomb.zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(z))) {
            ZipArchiveEntry e = new ZipArchiveEntry("zeros.bin");
            out.putArchiveEntry(e);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) out.write(zeros);
            out.closeArchiveEntry();
        }
        assertThat(Files.size(z)).isLessThan(1 << 20);
        assertThatThrownBy(() -> spooler(new Limits(8 << 20, 100)).spool(z)).isInstanceOf(SpoolException.class).hasMessageContaining("more than");
        assertNothingLeft();
    }

    @Test
    void tooManyEntriesAreRefused() throws Exception {
        Path a = tar("many.tar.gz", out -> {
            for (int i = 0; i < 50; i++) file(out, "f" + i, "", 0644);
        });
        assertThatThrownBy(() -> spooler(new Limits(1 << 20, 10)).spool(a)).hasMessageContaining("more than 10 entries");
        assertNothingLeft();
    }

    @Test
    void aCorruptArchiveIsRefusedCleanly() throws Exception {
        Path bad = tmp.resolve("bad.tar.gz");
        Files.write(bad, new byte[] {31, -117, 8, 0, 1, 2, 3});
        assertThatThrownBy(() -> spooler(Limits.DEFAULT).spool(bad)).isInstanceOf(SpoolException.class).hasMessageContaining("cannot unpack");
        assertNothingLeft();
        Path other = Files.writeString(tmp.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> spooler(Limits.DEFAULT).spool(other)).hasMessageContaining("neither a directory nor");
    }
}
