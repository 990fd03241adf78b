package dev.steward.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.model.FunctionRuntime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FunctionPoolsTest {
    @Test
    void sizesArePerRuntimeOverTheDefaults() {
        FunctionPools p = FunctionPools.parse("python=4, node=0", "30s");
        assertThat(p.sizes()).containsEntry(FunctionRuntime.PYTHON, 4).containsEntry(FunctionRuntime.NODE, 0).containsEntry(FunctionRuntime.SHELL, 2)
                .containsEntry(FunctionRuntime.JAVA, 1);
        assertThat(FunctionPools.parse("java=3", null).sizes()).containsEntry(FunctionRuntime.JAVA, 3);
        assertThat(p.idle()).isEqualTo(Duration.ofSeconds(30));
        assertThat(FunctionPools.parse(null, null)).isEqualTo(FunctionPools.DEFAULT);
    }

    @Test
    void badOptionsAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> FunctionPools.parse("ruby=1", null)).hasMessage("--fn-pool: 'ruby' is not a runtime (expected: python, node, java or shell)");
        assertThatThrownBy(() -> FunctionPools.parse("python=lots", null)).hasMessage("--fn-pool: 'python=lots' (expected: RUNTIME=N with N 0-64)");
        assertThatThrownBy(() -> FunctionPools.parse("python", null)).hasMessage("--fn-pool: 'python' (expected: RUNTIME=N with N 0-64)");
        assertThatThrownBy(() -> FunctionPools.parse(null, "0s")).hasMessage("--fn-pool-idle: 0ms (expected: more than 0)");
        assertThatThrownBy(() -> FunctionPools.parse(null, "soon")).hasMessageStartingWith("--fn-pool-idle: ");
    }
}
