package dev.steward.agent.dynamic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFoldersTest {
    @TempDir Path tmp;

    @Test
    void aSaveReplacesTheLastOneWholeLeavingOutExcludedNamesAndARestoreBringsItBack() throws Exception {
        Path root = tmp.resolve("root");
        Path saved = tmp.resolve("saved");
        Files.createDirectories(root.resolve("work/sub"));
        Files.writeString(root.resolve("work/a.txt"), "one");
        Files.writeString(root.resolve("work/sub/b.tmp"), "scratch");
        DataFolders.save(root, List.of("work", "absent"), List.of("*.tmp"), saved);
        assertThat(saved.resolve("work/a.txt")).hasContent("one");
        assertThat(saved.resolve("work/sub/b.tmp")).doesNotExist();

        Files.writeString(root.resolve("work/a.txt"), "two");
        Files.delete(root.resolve("work/sub/b.tmp"));
        Files.writeString(root.resolve("work/c.txt"), "new");
        DataFolders.save(root, List.of("work"), List.of(), saved);
        assertThat(saved.resolve("work/a.txt")).hasContent("two");
        assertThat(saved.resolve("work/c.txt")).hasContent("new");
        assertThat(tmp.resolve("saved.saving")).doesNotExist();
        assertThat(tmp.resolve("saved.old")).doesNotExist();

        Path again = tmp.resolve("again");
        assertThat(DataFolders.restore(saved, again, List.of("work", "absent"))).isEqualTo(1);
        assertThat(again.resolve("work/a.txt")).hasContent("two");
        assertThat(again.resolve("work/c.txt")).hasContent("new");
    }

    @Test
    void nothingSavedYetRestoresNothing() throws Exception {
        assertThat(DataFolders.restore(tmp.resolve("none"), tmp.resolve("root"), List.of("work"))).isZero();
    }
}
