package dev.steward.agent.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpandTest {
    @Test
    void commandsExpandVariables() {
        Map<String, String> env = Map.of("PORT", "8080", "NAME", "x");
        assertThat(Expand.all(List.of("serve", "--port=${PORT}", "${NAME}-${NAME}", "$${PORT}", "${MISSING}"), env))
                .containsExactly("serve", "--port=8080", "x-x", "${PORT}", "");
    }
}
