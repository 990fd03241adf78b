package dev.steward.cli;

import java.io.IOException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code service logs} and {@code app logs} share: a name, {@code -f}, {@code --tail N} over the
 * instances' lines merged by time, {@code --since}, {@code --timestamps}, one id's log.
 */
abstract class LogsCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing what is appended.")
    boolean follow;

    @Option(names = "--tail", paramLabel = "N", defaultValue = "200", description = "How many lines to start with (default ${DEFAULT-VALUE}).")
    int tail;

    @Option(names = {"-t", "--timestamps"}, description = "Show when each line was written (RFC 3339, UTC).")
    boolean timestamps;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only lines since this long ago (like 10m) or this time (2026-12-02T10:00:00Z).")
    String since;

    /** Prints {@code /v1/KIND/NAME/logs}, only {@code id}'s when it is given as {@code param}. */
    int print(String kind, String param, String id) throws IOException {
        if (tail < 0) throw new CliException(2, "--tail: " + tail + " (expected: 0 or more)");
        if (id != null && !id.matches("[A-Za-z0-9-]{1,64}")) throw new CliException(2, "--" + param + ": '" + id + "' is not an id");
        String path = "/v1/" + kind + "/" + NameArg.check(name) + "/logs?tail=" + tail + (follow ? "&follow=true" : "")
                + (id == null ? "" : "&" + param + "=" + id) + (timestamps || common.json ? "&timestamps=true" : "")
                + (since == null ? "" : "&since=" + java.net.URLEncoder.encode(since, java.nio.charset.StandardCharsets.UTF_8));
        if (!common.json) {
            common.client().stream(path, System.out);
            return 0;
        }
        try (JsonLines lines = new JsonLines(System.out, param)) {
            common.client().stream(path, lines);
        }
        return 0;
    }

    /**
     * With {@code --json}: one JSON object per line, {@code {"line": TEXT}}, with the time it was
     * written under {@code time} when the agent knows it, and the instance's or worker's id under
     * {@code instance}/{@code worker} when the agent labelled the line with it.
     */
    static final class JsonLines extends java.io.OutputStream {
        private static final java.util.regex.Pattern TIME = java.util.regex.Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z) (.*)$", java.util.regex.Pattern.DOTALL);
        private static final java.util.regex.Pattern LABEL = java.util.regex.Pattern.compile("^\\[([A-Za-z0-9-]{1,64})\\] (.*)$", java.util.regex.Pattern.DOTALL);
        private final java.io.PrintStream out;
        private final String source;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        JsonLines(java.io.PrintStream out, String source) {
            this.out = out;
            this.source = source;
        }

        @Override
        public void write(int b) {
            if (b == '\n') emit();
            else line.write(b);
        }

        private void emit() {
            String text = line.toString(java.nio.charset.StandardCharsets.UTF_8);
            line.reset();
            var o = Json.object();
            var t = TIME.matcher(text);
            if (t.matches()) {
                o.put("time", t.group(1));
                text = t.group(2);
            }
            var m = LABEL.matcher(text);
            if (m.matches()) {
                o.put(source, m.group(1));
                text = m.group(2);
            }
            o.put("line", text);
            out.println(Json.compact(o));
            out.flush();
        }

        @Override
        public void close() {
            if (line.size() > 0) emit();
        }
    }
}
