package dev.steward.agent.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.model.FunctionManifest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallRulesTest {
    static FunctionManifest m(String runtime, String calls) {
        String handler = switch (runtime) {
            case "python" -> "main.handle";
            case "node" -> "index.handle";
            case "shell" -> "h.sh";
            default -> "com.example.F";
        };
        return FunctionManifest.parse("runtime: " + runtime + "\nhandler: " + handler + "\n" + (calls.isEmpty() ? "" : "calls: {" + calls + "}\n"));
    }

    @Test
    void aWorkerLoadsItsSameWorkerCalleesOfEveryRuntimeButNotItsOtherWorkerOnes() {
        Map<String, FunctionManifest> all = Map.of(
                "a", m("python", "b: same-worker, c: other-worker"),
                "b", m("node", "d: same-worker"),
                "c", m("python", ""),
                "d", m("shell", ""));
        assertThat(CallRules.sameWorker("a", all)).containsExactly("a", "b", "d");
        assertThat(CallRules.sameWorker("c", all)).containsExactly("c");
    }

    @Test
    void aSameWorkerCallAcrossRuntimesIsAllowedFromEveryRuntime() {
        CallRules.check("a", m("python", "b: same-worker"), Map.of("b", m("node", "")));
        CallRules.check("a", m("node", "b: same-worker"), Map.of("b", m("shell", "")));
        CallRules.check("a", m("python", "b: same-worker"), Map.of("b", m("java", "")));
        CallRules.check("a", m("node", "b: same-worker"), Map.of("b", m("java", "")));
        CallRules.check("a", m("java", "b: same-worker"), Map.of("b", m("python", "")));
        CallRules.check("a", m("java", "b: same-worker"), Map.of("b", m("node", "")));
        CallRules.check("b", m("python", ""), Map.of("a", m("java", "b: same-worker")));
        CallRules.check("a", m("java", "b: other-worker"), Map.of("b", m("python", "")));
    }
}
