package dev.steward.agent.isolate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data dir's scope is made once, kept, and differs from another data dir's. */
class NodeScopeTest {
    @TempDir Path tmp;

    @Test
    void aDataDirKeepsItsScope() throws Exception {
        NodeScope first = NodeScope.of(tmp.resolve("a"));
        assertThat(first.id()).matches("[0-9a-f]{8}");
        assertThat(Files.readString(tmp.resolve("a").resolve("node.id")).strip()).isEqualTo(first.id());
        assertThat(NodeScope.of(tmp.resolve("a"))).isEqualTo(first);
        assertThat(NodeScope.of(tmp.resolve("b"))).isNotEqualTo(first);
    }

    @Test
    void aDamagedIdIsRefusedNamingTheFile() throws Exception {
        Files.writeString(tmp.resolve("node.id"), "../../etc\n");
        assertThatThrownBy(() -> NodeScope.of(tmp)).isInstanceOf(IOException.class)
                .hasMessage(tmp.resolve("node.id") + ": node id: ../../etc (expected: 4-16 lowercase letters and digits)");
    }
}
