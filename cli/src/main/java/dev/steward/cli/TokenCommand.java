package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code steward token create|list|revoke}: the agent's API tokens (admin tokens only). */
@Command(addMethodSubcommands = false, name = "token", mixinStandardHelpOptions = true, description = "Make, list and revoke API tokens (needs an admin token).")
final class TokenCommand extends CommandGroup {

    @Command(addMethodSubcommands = false, name = "create", mixinStandardHelpOptions = true, description = "Make a token and print it once (only its hash is kept).")
    static final class Create implements java.util.concurrent.Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME", description = "Its name: what it owns is owned by this name.")
        String name;

        @ArgGroup(exclusive = true)
        RoleOption role;

        static final class RoleOption {
            @Option(names = "--admin", description = "May change anything and manage tokens.") boolean admin;
            @Option(names = "--read-only", description = "May only read.") boolean readOnly;
        }

        @Option(names = "--ttl", paramLabel = "DURATION", description = "Expires after this long (like 30d or 12h; default never).")
        String ttl;

        @Override
        public Integer call() {
            NameArg.check(name);
            var body = Json.object();
            body.put("name", name);
            body.put("role", role == null ? "user" : role.admin ? "admin" : "read-only");
            if (ttl != null) body.put("ttl", ttl);
            JsonNode v = common.client().call("POST", "/v1/tokens", body.toString(), Map.of("Content-Type", "application/json"));
            if (common.json) {
                common.printJson(v);
            } else {
                System.out.println(v.path("token").asText());
                System.err.println("steward: token " + name + " (" + v.path("role").asText() + (v.has("expires") ? ", expires "
                        + v.path("expires").asText() : "") + ") made; it is shown this once");
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "list", mixinStandardHelpOptions = true, description = "List tokens: name, role, made, expires (never the secrets).")
    static final class ListTokens implements java.util.concurrent.Callable<Integer> {
        @Mixin Common common;

        @Override
        public Integer call() {
            JsonNode list = common.client().get("/v1/tokens");
            if (common.json) {
                common.printJson(list);
                return 0;
            }
            Table t = new Table("NAME", "ROLE", "CREATED", "EXPIRES");
            for (JsonNode n : list) t.row(n.path("name").asText(), n.path("role").asText(), n.path("created").asText(), n.path("expires").asText("never"));
            System.out.print(t.render());
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token: it stops working at once.")
    static final class Revoke implements java.util.concurrent.Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return common.delete("tokens", name, "revoked");
        }
    }
}
