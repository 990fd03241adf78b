package dev.steward.agent.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** A port that is taken is named by its flag, and the agent that could not start leaves its data dir free. */
class AgentMainPortsTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"--api", "--gateway", "--rpc"})
    void aBusyPortIsReportedByItsFlag(String flag) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String busy = "127.0.0.1:" + taken.getLocalPort();
            List<String> args = new java.util.ArrayList<>(List.of("--data-dir", tmp.resolve("data").toString(),
                    "--api", "127.0.0.1:0", "--gateway", "127.0.0.1:0", "--rpc", "127.0.0.1:0", "--default-user", "root", "--allow-root"));
            args.set(args.indexOf(flag) + 1, busy);
            if (!"root".equals(System.getProperty("user.name"))) args.subList(args.indexOf("--default-user"), args.size()).clear();
            PrintStream old = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code;
            try {
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                code = AgentMain.run(args.toArray(String[]::new));
            } finally {
                System.setErr(old);
            }
            String said = err.toString(StandardCharsets.UTF_8);
            assertThat(code).as(said).isEqualTo(1);
            assertThat(said).contains(flag + " " + busy + " is in use");
            // the data dir's lock was given back: the next agent may use it
            try (var ch = java.nio.channels.FileChannel.open(tmp.resolve("data/agent.lock"), java.nio.file.StandardOpenOption.WRITE);
                 var lock = ch.tryLock()) {
                assertThat(lock).isNotNull();
            }
        }
    }
}
