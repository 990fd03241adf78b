package dev.steward.agent.isolate.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The empty group held frozen, on a tree of plain folders laid out as the freezer hierarchy is. */
class FrozenKeyTest {
    @TempDir Path root;

    @Test
    void theGroupIsMadeBesideTheScopesAndFrozenOnce() throws Exception {
        Path freezer = Files.createDirectories(root.resolve("freezer"));
        Path state = freezer.resolve("steward").resolve(FrozenKey.NAME).resolve("freezer.state");
        assertThat(FrozenKey.hold(freezer)).isTrue();
        assertThat(Files.readString(state)).isEqualTo("FROZEN");
        long written = Files.getLastModifiedTime(state).toMillis();
        Files.setLastModifiedTime(state, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
        assertThat(FrozenKey.hold(freezer)).as("frozen already: left as it is").isTrue();
        assertThat(Files.getLastModifiedTime(state).toMillis()).isEqualTo(written - 60_000);
        assertThat(FrozenKey.NAME).as("a name no agent's scope (letters and digits) can have").doesNotMatch("[A-Za-z0-9]+");
    }

    @Test
    void whereItCannotBeMadeItSaysSoAndNothingIsMade() throws Exception {
        Path freezer = Files.writeString(root.resolve("freezer"), "not a hierarchy");
        assertThat(FrozenKey.hold(freezer)).isFalse();
        assertThat(Files.readString(freezer)).isEqualTo("not a hierarchy");
    }
}
