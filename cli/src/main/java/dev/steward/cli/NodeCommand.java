package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward node drain N | undrain N}: move a node's instances off it, or let it take instances again (admin). */
@Command(addMethodSubcommands = false, name = "node", mixinStandardHelpOptions = true, description = "Drain a node of the cluster, or undrain it (needs an admin token).")
final class NodeCommand extends CommandGroup {

    @Command(addMethodSubcommands = false, name = "drain", mixinStandardHelpOptions = true,
            description = "The node gets no new instances, and its instances move to other nodes, each started before the old one stops.")
    static final class Drain extends Verb {
        Drain() {
            super("drain", "drained: its instances move to other nodes");
        }
    }

    @Command(addMethodSubcommands = false, name = "undrain", mixinStandardHelpOptions = true, description = "The node takes new instances again.")
    static final class Undrain extends Verb {
        Undrain() {
            super("undrain", "undrained: it takes new instances again");
        }
    }

    /** POST /v1/cluster/nodes/NODE/VERB, and what it did. */
    abstract static class Verb implements java.util.concurrent.Callable<Integer> {
        private final String verb;
        private final String done;
        @Mixin Common common;

        @Parameters(paramLabel = "NODE")
        String node;

        Verb(String verb, String done) {
            this.verb = verb;
            this.done = done;
        }

        @Override
        public Integer call() {
            JsonNode v = common.client().call("POST", "/v1/cluster/nodes/" + NameArg.check(node) + "/" + verb, null, java.util.Map.of());
            if (common.json) common.printJson(v);
            else System.out.println("node " + v.path("name").asText() + " " + done);
            return 0;
        }
    }
}
