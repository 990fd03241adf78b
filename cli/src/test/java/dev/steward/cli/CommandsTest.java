package dev.steward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command tree as a whole: what every command that talks to an agent takes. */
class CommandsTest {
    /** Commands that never ask an agent: the agent itself, and the shell completion scripts. */
    private static final Set<String> LOCAL = Set.of("steward agent", "steward completion");

    @Test
    void everyCommandThatAsksTheAgentTakesJsonAddrTokenAndCaCert() {
        List<String> checked = new ArrayList<>();
        walk(Main.commandLine(), checked);
        assertThat(checked).as("the commands checked").hasSizeGreaterThan(40).contains("steward service logs", "steward app info", "steward logs");
    }

    private static void walk(CommandLine cl, List<String> checked) {
        String name = cl.getCommandSpec().qualifiedName();
        if (!cl.getSubcommands().isEmpty()) {
            cl.getSubcommands().values().stream().distinct().forEach(c -> walk(c, checked)); // aliases name the same command twice
            return;
        }
        if (LOCAL.contains(name)) return;
        for (String option : List.of("--json", "--addr", "--token", "--ca-cert")) {
            assertThat(cl.getCommandSpec().findOption(option)).as(name + " " + option).isNotNull();
        }
        if (!checked.contains(name)) checked.add(name);
    }
}
