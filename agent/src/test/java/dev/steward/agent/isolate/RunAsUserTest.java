package dev.steward.agent.isolate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Who a process-isolate instance runs as where no cgroup helper switches users (cgroups hidden or absent). */
class RunAsUserTest {
    private static final List<String> CMD = List.of("/bin/echo", "hi");

    @Test
    void noUserAndTheAgentsOwnUserRunTheCommandAsItIs() {
        assertEquals(CMD, ProcessIsolate.asUser(null, CMD));
        assertEquals(CMD, ProcessIsolate.asUser(String.valueOf(Users.own()), CMD));
    }

    @Test
    void anotherUserIsSwitchedToByARootAgentAndRefusedByAnyOther() {
        if (Users.own() == 0) {
            List<String> a = ProcessIsolate.asUser("nobody", CMD);
            assertEquals(List.of("setpriv", "--no-new-privs"), a.subList(0, 2));
            assertTrue(a.contains("--reuid=" + Users.resolve("nobody").uid()), a.toString());
            assertEquals(CMD, a.subList(a.size() - 2, a.size()));
        } else {
            var e = assertThrows(IllegalArgumentException.class, () -> ProcessIsolate.asUser("root", CMD));
            assertTrue(e.getMessage().contains("needs an agent running as root"), e.getMessage());
        }
    }

    @Test
    void anUnknownUserIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> ProcessIsolate.asUser("no-such-user-here", CMD));
        assertEquals("user: no user 'no-such-user-here' on this node", e.getMessage());
    }
}
