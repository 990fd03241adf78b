package dev.steward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which command lines the quick path takes and which it leaves to picocli (those it takes run against a real agent in CliIT). */
class QuickCommandsTest {
    @Test
    void anythingButTheCommonOptionsIsLeftToPicocli() {
        for (String[] args : new String[][] {
                {"service", "query", "-w"}, {"service", "query", "a", "--watch"}, {"status", "--help"}, {"status", "--addr"},
                {"status", "--token", "--json"}, {"service", "query", "a", "b"}, {"service", "show", "a"}, {"servce", "query"},
                {"status", "--json=true"}, {"service", "query", "--", "a"}, {"--version", "status"}, {}, {"service"}}) {
            assertThat(QuickCommands.run(args)).as(String.join(" ", args)).isNull();
        }
    }

    @Test
    void versionIsAnsweredFromTheBuild() {
        Ran r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(dev.steward.model.Version.line() + "\n");
    }

    @Test
    void aBadAddressIsAUsageErrorNamingTheFlag() {
        Ran r = run("status", "--addr=ftp://x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("steward: --addr: 'ftp://x' (expected: http://HOST:PORT or https://HOST:PORT)\n");
    }

    record Ran(Integer code, String out, String err) {}

    private static Ran run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Integer code = QuickCommands.run(args);
            return new Ran(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
