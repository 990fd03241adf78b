package dev.steward.agent.instance;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Expands {@code ${NAME}} in command arguments from an environment; {@code $${NAME}} stays literal. */
public final class Expand {
    private static final Pattern VAR = Pattern.compile("\\$?\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private Expand() {}

    public static List<String> all(List<String> args, Map<String, String> env) {
        return args.stream().map(a -> one(a, env)).toList();
    }

    static String one(String arg, Map<String, String> env) {
        Matcher m = VAR.matcher(arg);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String whole = m.group();
            String value = whole.startsWith("$$") ? whole.substring(1) : env.getOrDefault(m.group(1), "");
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
