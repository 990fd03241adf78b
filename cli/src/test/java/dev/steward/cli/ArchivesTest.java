package dev.steward.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulled outputs unpacked into a folder: what lands outside it, or through a link, refuses the whole archive. */
class ArchivesTest {
    @TempDir Path tmp;

    /** A .tar.gz of one good file then {@code bad} (a file named so, or a link when {@code linkTo} is given). */
    private Path archive(String bad, String linkTo) throws IOException {
        Path a = tmp.resolve("a.tar.gz");
        try (var out = new TarArchiveOutputStream(new GzipCompressorOutputStream(Files.newOutputStream(a)))) {
            file(out, "good.txt", "good");
            if (linkTo != null) {
                TarArchiveEntry e = new TarArchiveEntry(bad, TarArchiveEntry.LF_SYMLINK);
                e.setLinkName(linkTo);
                out.putArchiveEntry(e);
                out.closeArchiveEntry();
            } else {
                file(out, bad, "bad");
            }
        }
        return a;
    }

    private static void file(TarArchiveOutputStream out, String name, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true); // as written: an absolute name kept
        e.setSize(b.length);
        out.putArchiveEntry(e);
        out.write(b);
        out.closeArchiveEntry();
    }

    @Test
    void filesAndFoldersAreUnpackedIntoTheFolder() throws Exception {
        Path into = tmp.resolve("into");
        assertThat(Archives.unpack(archive("sub/more.txt", null), into)).isEqualTo(2);
        assertThat(into.resolve("good.txt")).hasContent("good");
        assertThat(into.resolve("sub/more.txt")).hasContent("bad");
    }

    @Test
    void entriesClimbingOutAbsoluteOrLinksRefuseTheArchiveWithNothingWritten() throws Exception {
        Path into = tmp.resolve("into");
        for (String[] bad : new String[][] {{"../escaped.txt", null}, {"sub/../../escaped.txt", null}, {"/tmp/escaped.txt", null},
                {"link", "/etc/passwd"}}) {
            Path a = archive(bad[0], bad[1]);
            assertThatThrownBy(() -> Archives.unpack(a, into)).as(bad[0]).isInstanceOf(CliException.class)
                    .hasMessageContaining("entry '" + bad[0] + "'");
            assertThat(into).as("nothing written for " + bad[0]).doesNotExist();
            Files.delete(a);
        }
        assertThat(tmp.resolve("escaped.txt")).doesNotExist();
    }

    @Test
    void nothingIsWrittenThroughALinkAlreadyInTheFolder() throws Exception {
        Path into = Files.createDirectories(tmp.resolve("into"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(into.resolve("sub"), elsewhere);
        assertThatThrownBy(() -> Archives.unpack(archive("sub/more.txt", null), into)).isInstanceOf(CliException.class)
                .hasMessageContaining("is a link");
        assertThat(elsewhere).isEmptyDirectory();
        assertThat(into.resolve("good.txt")).as("checked before anything is written").doesNotExist();
    }
}
