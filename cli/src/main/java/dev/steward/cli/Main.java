package dev.steward.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code steward}: the command line. */
@Command(addMethodSubcommands = false, name = "steward", mixinStandardHelpOptions = true, versionProvider = VersionLine.class,
        description = "Keeps programs running: services, jobs, apps and functions.")
public final class Main implements Runnable {
    /** The options every command takes ({@link Common}) that have a value. */
    private static final Set<String> GLOBAL_WITH_VALUE = Set.of("--addr", "--token", "--ca-cert");

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code: 0 ok, 1 failure, 2 usage or invalid input, 3 not found. */
    public static int run(String... args) {
        Integer quick = QuickCommands.run(args);
        if (quick != null) return quick;
        String[] ordered = globalsAfterTheCommand(args);
        CommandLine cl = Commands.forArgs(new Main(), ordered);
        cl.setExpandAtFiles(false); // @FILE is an argument of its own (fn invoke --data @FILE), not a file of arguments
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> failed(e));
        cl.setParameterExceptionHandler((e, a) -> {
            System.err.println("steward: " + e.getMessage());
            if (e instanceof CommandLine.UnmatchedArgumentException u) CommandLine.UnmatchedArgumentException.printSuggestions(u, System.err);
            System.err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return 2;
        });
        return cl.execute(ordered);
    }

    /** Says why a command failed; its exit code. */
    static int failed(Exception e) {
        if (e instanceof CliException c) {
            System.err.println("steward: " + c.getMessage());
            return c.exitCode();
        }
        System.err.println("steward: " + e);
        return 1;
    }

    /** The whole command tree (completion). */
    static CommandLine commandLine() {
        return Commands.whole(new Main());
    }

    /**
     * Every command takes {@code --addr}, {@code --token}, {@code --ca-cert} and {@code --json}; given
     * before the command ({@code steward --json service query}) they are moved after it, before any
     * {@code --} that starts a program's own arguments.
     */
    static String[] globalsAfterTheCommand(String[] args) {
        List<String> globals = new ArrayList<>();
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            if (name.equals("--json")) {
                globals.add(a);
            } else if (GLOBAL_WITH_VALUE.contains(name)) {
                globals.add(a);
                if (eq < 0 && i + 1 < args.length) globals.add(args[++i]);
            } else {
                break; // the command, or an option of steward's own (--help, --version): picocli reads the rest
            }
        }
        if (globals.isEmpty() || i == args.length) return args;
        List<String> rest = new ArrayList<>(List.of(args).subList(i, args.length));
        int programArgs = rest.indexOf("--");
        rest.addAll(programArgs < 0 ? rest.size() : programArgs, globals);
        return rest.toArray(String[]::new);
    }

    @Override
    public void run() {
        Commands.whole(this).usage(System.err);
        throw new CliException(2, "a command is required");
    }
}
