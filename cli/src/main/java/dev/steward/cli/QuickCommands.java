package dev.steward.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands typed most often, run without picocli's model of them: {@code --version},
 * {@code status} and {@code service query [NAME]}, given only the options every command takes.
 * picocli reads each command's annotations, and the JVM makes a class at run time for each kind of
 * annotation it reads (they cannot be kept in the class cache): that alone took half the time of one of
 * these commands. Anything else on such a command line ({@code --help}, {@code --watch}, a misspelt
 * option, a missing value) goes to picocli as every other command does; the commands' own code is shared.
 */
final class QuickCommands {
    private QuickCommands() {}

    /** The exit code of {@code args} run here, or null when they are for picocli. */
    static Integer run(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.out.println(dev.steward.model.Version.line());
            return 0;
        }
        Common common = new Common();
        common.addr = envOr("STEWARD_ADDR", Common.DEFAULT_ADDR);
        common.token = System.getenv("STEWARD_TOKEN");
        common.caCert = System.getenv("STEWARD_CA_CERT");
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            if (a.equals("--json")) {
                common.json = true;
            } else if (name.equals("--addr") || name.equals("--token") || name.equals("--ca-cert")) {
                String value;
                if (eq > 0) value = a.substring(eq + 1);
                else if (i + 1 < args.length && !args[i + 1].startsWith("-")) value = args[++i];
                else return null; // picocli says what is missing
                switch (name) {
                    case "--addr" -> common.addr = value;
                    case "--token" -> common.token = value;
                    default -> common.caCert = value;
                }
            } else if (a.startsWith("-")) {
                return null;
            } else {
                words.add(a);
            }
        }
        java.util.concurrent.Callable<Integer> command;
        if (words.equals(List.of("status"))) {
            StatusCommand s = new StatusCommand();
            s.common = common;
            command = s;
        } else if (words.size() >= 2 && words.size() <= 3 && words.get(0).equals("service") && words.get(1).equals("query")) {
            ServiceQuery q = new ServiceQuery();
            q.common = common;
            q.name = words.size() == 3 ? words.get(2) : null;
            command = q;
        } else {
            return null;
        }
        try {
            return command.call();
        } catch (Exception e) {
            return Main.failed(e);
        }
    }

    private static String envOr(String name, String otherwise) {
        String v = System.getenv(name);
        return v != null ? v : otherwise;
    }
}
