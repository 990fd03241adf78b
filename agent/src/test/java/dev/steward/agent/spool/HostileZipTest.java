package dev.steward.agent.spool;

import static dev.steward.agent.spool.Archives.E.dir;
import static dev.steward.agent.spool.Archives.E.file;
import static dev.steward.agent.spool.Archives.E.symlink;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zips are read as a stream of local entries, never through their central directory: what it says
 * (modes, links) is not believed, so a zip unpacks to plain files and directories only.
 */
class HostileZipTest {
    @TempDir Path tmp;
    Fence fence;

    @BeforeEach
    void setUp() throws IOException {
        fence = new Fence(tmp);
        Files.createDirectories(tmp.resolve("in"));
    }

    Path spool(Path zip) {
        return new Spooler(fence.cache, Limits.DEFAULT).spool(zip);
    }

    @Test
    void aZipsSymbolicLinkIsAPlainFileThatLeadsNowhere() throws Exception {
        Path zip = Archives.zip(tmp.resolve("in/links.zip"), List.of(symlink("passwd", "/etc/passwd"),
                symlink("up", "../../outside/sentinel.txt"), dir("d"), file("d/a.txt", "a")));
        var before = fence.snapshot();
        Path dir = spool(zip);
        assertThat(Files.isSymbolicLink(dir.resolve("passwd"))).isFalse();
        assertThat(Files.readString(dir.resolve("passwd"))).isEqualTo("/etc/passwd");
        assertThat(Files.readString(dir.resolve("up"))).isEqualTo("../../outside/sentinel.txt");
        assertThat(Files.readString(dir.resolve("d/a.txt"))).isEqualTo("a");
        assertThat(fence.snapshot()).isEqualTo(before);
    }

    @Test
    void aZipsModesAreNotTakenFromItsDirectory() throws Exception {
        Path dir = spool(Archives.zip(tmp.resolve("in/modes.zip"), List.of(file("suid", "x").mode(06777))));
        assertThat(Files.getPosixFilePermissions(dir.resolve("suid"))).isEqualTo(Root.PLAIN);
    }

    @Test
    void backslashesOfAZipMadeOnWindowsAreSeparators() throws Exception {
        Path zip = Archives.zip(tmp.resolve("in/windows.zip"), List.of(file("..\\..\\outside\\sentinel.txt", "evil")));
        fence.refused(() -> spool(zip), "entry '../../outside/sentinel.txt': climbs out of the archive");
    }
}
