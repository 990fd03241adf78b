package dev.steward.agent.spool;

import static dev.steward.agent.spool.Archives.E.dir;
import static dev.steward.agent.spool.Archives.E.file;
import static dev.steward.agent.spool.Archives.E.hardlink;
import static dev.steward.agent.spool.Archives.E.symlink;
import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.spool.Archives.E;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile archives, tar, tar.gz and zip: each is refused with a message naming the entry and the
 * problem, nothing outside the spool is read or changed (a sentinel file waits outside), nothing is
 * left in the spool. The zip cases that concern links are in {@link HostileZipTest}.
 */
class HostileArchivesTest {
    @TempDir Path tmp;
    Fence fence;
    Path in;

    @BeforeEach
    void setUp() throws IOException {
        fence = new Fence(tmp);
        in = Files.createDirectories(tmp.resolve("in"));
    }

    Spooler spooler(Limits limits) {
        return new Spooler(fence.cache, limits);
    }

    Path archive(Format f, String name, List<E> entries) throws IOException {
        return switch (f) {
            case TAR -> Archives.tar(in.resolve(name + ".tar"), entries);
            case TAR_GZ -> Archives.tar(in.resolve(name + ".tar.gz"), entries);
            case ZIP -> Archives.zip(in.resolve(name + ".zip"), entries);
        };
    }

    String refused(Path archive, String... expected) {
        return fence.refused(() -> spooler(Limits.DEFAULT).spool(archive), expected);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void slipIsRefused(Format f) throws Exception {
        String evil = "a/../../" + Fence.climb();
        refused(archive(f, "slip", List.of(file("ok.txt", "fine"), file(evil, "overwritten"))), "entry '" + evil + "': climbs out of the archive");
        refused(archive(f, "slip2", List.of(file("../x", "x"))), "entry '../x': climbs out of the archive");
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void absolutePathsAreRefused(Format f) throws Exception {
        Path elsewhere = Path.of("/tmp/steward-evil-" + System.nanoTime());
        refused(archive(f, "abs", List.of(file(elsewhere.toString(), "evil"))), "is an absolute path");
        refused(archive(f, "abs2", List.of(file(fence.sentinel.toString(), "overwritten"))), "is an absolute path");
        assertThat(elsewhere).doesNotExist();
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void longNamesAreRefusedWithTheNameCut(Format f) throws Exception {
        String deep = "d/".repeat(600) + "f";
        String m = refused(archive(f, "long", List.of(file(deep, "x"))), "the name is longer than 1024 bytes");
        assertThat(m).doesNotContain(deep);
        refused(archive(f, "part", List.of(file("a/" + "p".repeat(300), "x"))), "a part of the name is longer than 255 bytes");
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void anEntryTwiceIsRefused(Format f) throws Exception {
        refused(archive(f, "twice", List.of(file("a.txt", "one"), file("a.txt", "two"))), "entry 'a.txt': is in the archive twice");
        refused(archive(f, "filedir", List.of(file("a", "one"), file("a/b", "two"))), "entry 'a/b': goes through 'a', which is not a directory");
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void tooManyEntriesAreRefused(Format f) throws Exception {
        List<E> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) many.add(file("f" + i, ""));
        Path a = archive(f, "many", many);
        fence.refused(() -> spooler(Limits.DEFAULT.withEntries(10)).spool(a), "the archive has more than 10 entries");
    }

    @Test
    void aHundredThousandEntriesAreTheLimit() throws Exception {
        // directory entries of one directory: the count is what is tested, not the disk
        refused(Archives.sameDirectory(in.resolve("flood.tar.gz"), "d", Limits.DEFAULT.maxEntries() + 1), "the archive has more than 100000 entries");
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void theSizeLimitIsCountedAsWritten(Format f) throws Exception {
        Path a = archive(f, "big", List.of(file("big.txt", "x".repeat(3 << 20))));
        fence.refused(() -> spooler(Limits.DEFAULT.withBytes(1 << 20)).spool(a),
                "entry 'big.txt': the archive unpacks to more than 1048576 bytes");
    }

    @Test
    void aTarGzBombOfGigabytesIsStoppedEarly() throws Exception {
        Path bomb = Archives.tarGzBomb(in.resolve("bomb.tar.gz"), "zeros.bin", TarConstants.LF_NORMAL, 4L << 30);
        assertThat(Files.size(bomb)).isLessThan(5L << 20);
        refused(bomb, "entry 'zeros.bin': the archive inflates to more than 200 times its size");
    }

    @Test
    void aBombHiddenInALinksDataIsCountedToo() throws Exception {
        refused(Archives.tarGzBomb(in.resolve("linkbomb.tar.gz"), "quiet", TarConstants.LF_SYMLINK, 4L << 30), "entry 'quiet'", "200 times its size");
    }

    @Test
    void aZipBombOfGigabytesIsStoppedEarly() throws Exception {
        Path bomb = Archives.zipBomb(in.resolve("bomb.zip"), "zeros.bin", 4L << 30);
        assertThat(Files.size(bomb)).isLessThan(5L << 20);
        refused(bomb, "entry 'zeros.bin': the archive inflates to more than 200 times its size");
    }

    @Test
    void symbolicLinksOutAreRefused() throws Exception {
        refused(archive(Format.TAR_GZ, "up", List.of(symlink("up", "../../outside"))), "entry 'up': is a symbolic link to '../../outside', which leads outside");
        refused(archive(Format.TAR_GZ, "abs", List.of(symlink("etc", "/etc"))), "entry 'etc': is a symbolic link to an absolute path");
        refused(archive(Format.TAR_GZ, "deep", List.of(symlink("a/b/c/up", "../../../.."))), "leads outside the archive");
    }

    @Test
    void aChainOfLinksThatClimbsOutIsRefusedThoughEachLooksInside() throws Exception {
        // top leads to the root (inside); esc reads as a/b/c/d by name, but through top it is the root's parent
        refused(archive(Format.TAR_GZ, "chain", List.of(dir("a/b/c/d"), symlink("a/b/c/d/top", "../../../.."),
                symlink("a/esc", "b/c/d/top/../outside/sentinel.txt"))), "entry 'a/esc'", "which leads outside the archive");
        // a link to a link that leads out
        refused(archive(Format.TAR_GZ, "hops", List.of(dir("x"), symlink("x/up", ".."), symlink("x/up2", "up/.."))), "entry 'x/up2'", "leads outside");
        // links in a loop
        refused(archive(Format.TAR_GZ, "loop", List.of(symlink("l1", "l2"), symlink("l2", "l1"), symlink("l3", "l1/x"))),
                "goes through more than 40 symbolic links");
    }

    @Test
    void aLinkMadeSafeThenTurnedOutByALaterEntryIsRefused() throws Exception {
        // when esc is made, d and x do not exist and esc reads as d/outside/sentinel.txt; once d/x2 leads to the
        // root and x to itself, esc leads to the sentinel
        refused(archive(Format.TAR_GZ, "later", List.of(symlink("esc", "d/x2/x/../../outside/sentinel.txt"), dir("d"),
                symlink("d/x2", ".."), symlink("x", "."))), "entry 'esc'", "with the links unpacked after it, leads outside the archive");
    }

    @Test
    void writingThroughALinkIsRefused() throws Exception {
        refused(archive(Format.TAR_GZ, "through", List.of(file("inner/keep.txt", "k"), symlink("hop", "inner"), file("hop/evil.txt", "e"))),
                "entry 'hop/evil.txt': goes through the symbolic link 'hop'");
        refused(archive(Format.TAR_GZ, "dirthrough", List.of(dir("inner"), symlink("hop", "inner"), dir("hop/sub"))),
                "entry 'hop/sub/': goes through the symbolic link 'hop'");
        refused(archive(Format.TAR_GZ, "over", List.of(file("inner/keep.txt", "k"), symlink("f", "inner/keep.txt"), file("f", "e"))),
                "entry 'f': is in the archive twice");
        refused(archive(Format.TAR_GZ, "dirover", List.of(dir("inner"), symlink("hop", "inner"), dir("hop"))),
                "entry 'hop/': is a directory where a symbolic link was unpacked before it");
    }

    @Test
    void hardLinksOutsideOrToLinksAreRefused() throws Exception {
        refused(archive(Format.TAR_GZ, "hard", List.of(hardlink("passwd", Fence.climb()))), "entry 'passwd': is a hard link to a bad name",
                "climbs out of the archive");
        refused(archive(Format.TAR_GZ, "hardabs", List.of(hardlink("passwd", fence.sentinel.toString()))), "is an absolute path");
        refused(archive(Format.TAR_GZ, "hardetc", List.of(hardlink("passwd", "/etc/passwd"))), "entry 'passwd': is a hard link to a bad name: entry '/etc/passwd': is an absolute path");
        refused(archive(Format.TAR, "hardsym", List.of(file("inner/f", "x"), symlink("s", "inner/f"), hardlink("h", "s"))),
                "entry 'h': is a hard link to 's', which is not a file unpacked before it");
        refused(archive(Format.TAR, "hardthrough", List.of(file("inner/f", "x"), symlink("hop", "inner"), hardlink("h", "hop/f"))),
                "entry 'h': is a hard link to 'hop/f', which is not a file unpacked before it");
        refused(archive(Format.TAR, "hardlater", List.of(hardlink("h", "later"), file("later", "x"))), "not a file unpacked before it");
    }

    @Test
    void devicesFifosAndOtherTypesAreRefused() throws Exception {
        refused(archive(Format.TAR_GZ, "chr", List.of(E.of("null", TarConstants.LF_CHR))), "entry 'null': is a device node");
        refused(archive(Format.TAR_GZ, "blk", List.of(E.of("sda", TarConstants.LF_BLK))), "entry 'sda': is a device node");
        refused(archive(Format.TAR_GZ, "fifo", List.of(E.of("pipe", TarConstants.LF_FIFO))), "entry 'pipe': is a FIFO");
        refused(archive(Format.TAR, "odd", List.of(E.of("odd", (byte) 'Z'))), "entry 'odd': has type 'Z'");
    }

    @Test
    void hugeOrChainedHeadersAreRefusedBeforeTheyAreRead() throws Exception {
        // a PAX header for a name of 2 MiB: refused while it is read, not once it is held
        String record = " path=" + "n".repeat(2 << 20) + "\n";
        String pax = (record.length() + 7) + record;
        String m = refused(archive(Format.TAR_GZ, "paxname", List.of(new E("pax", TarConstants.LF_PAX_EXTENDED_HEADER_LC, pax, 0644),
                file("short", "x"))), "headers for one entry", "more than 1048576 bytes");
        assertThat(m).doesNotContain("nnnnnnnnnn");
        List<E> chain = new ArrayList<>();
        for (int i = 0; i < 20; i++) chain.add(new E("pax" + i, TarConstants.LF_PAX_EXTENDED_HEADER_LC, "12 path=abc\n", 0644));
        chain.add(file("abc", "x"));
        refused(archive(Format.TAR, "chain", chain), "chains more than 16 header entries");
    }

    @Test
    void aCorruptOrTruncatedArchiveIsRefused() throws Exception {
        Path good = archive(Format.TAR_GZ, "good", List.of(file("a.txt", "x".repeat(100_000)), file("b.txt", "y")));
        Path cut = Files.write(in.resolve("cut.tar.gz"), java.util.Arrays.copyOf(Files.readAllBytes(good), (int) Files.size(good) / 2));
        refused(cut, "cut.tar.gz: the archive is corrupt or truncated");
        refused(Files.write(in.resolve("noise.zip"), new byte[] {'P', 'K', 3, 4, 1, 2, 3}), "noise.zip: the archive has no entries");
        refused(archive(Format.TAR, "empty", List.of()), "empty.tar: the archive has no entries");
    }
}
