package dev.steward.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code steward completion bash|zsh}: a completion script for the shell, made by picocli from the
 * commands themselves. {@code source <(steward completion bash)}; zsh loads the same script through
 * its bash compatibility.
 */
@Command(addMethodSubcommands = false, name = "completion", mixinStandardHelpOptions = true, description = "Print a shell completion script: source <(steward completion bash).")
final class CompletionCommand implements java.util.concurrent.Callable<Integer> {
    @Parameters(paramLabel = "SHELL", description = "bash or zsh")
    String shell;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("steward", Main.commandLine());
        switch (shell) {
            case "bash" -> System.out.print(script);
            case "zsh" -> System.out.print("autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script);
            default -> throw new CliException(2, "completion: '" + shell + "' is not a shell this knows (bash, zsh)");
        }
        return 0;
    }
}
