package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code steward login}: checks a token with the agent and keeps it (mode 0600) for the next commands. */
@Command(addMethodSubcommands = false, name = "login", mixinStandardHelpOptions = true,
        description = "Keep a token for the next commands (asked for, or given with --token or STEWARD_TOKEN).")
final class LoginCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Override
    public Integer call() {
        String token = common.token;
        if (token == null || token.isBlank()) token = ask();
        if (token == null || token.isBlank()) throw new CliException(2, "no token given");
        JsonNode me = new ApiClient(common.addr, token.strip(), common.caCert).get("/v1/whoami");
        Credentials.saveLogin(token.strip());
        if (common.json) common.printJson(me);
        else System.out.println("logged in as " + me.path("name").asText() + " (" + me.path("role").asText() + "); the token is kept in "
                + Credentials.loginFile());
        return 0;
    }

    private static String ask() {
        var console = System.console();
        if (console != null) {
            char[] t = console.readPassword("token: ");
            return t == null ? null : new String(t);
        }
        try {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new CliException(1, "cannot read the token: " + e.getMessage());
        }
    }

    /** {@code steward logout}: forgets the kept token. */
    @Command(addMethodSubcommands = false, name = "logout", mixinStandardHelpOptions = true, description = "Forget the token kept by login.")
    static final class Logout implements java.util.concurrent.Callable<Integer> {
        @Mixin Common common;

        @Override
        public Integer call() {
            boolean was = Credentials.forget();
            if (common.json) {
                var v = Json.object();
                v.put("logged-out", was);
                common.printJson(v);
            } else {
                System.out.println(was ? "logged out" : "not logged in");
            }
            return 0;
        }
    }

    /** {@code steward whoami}: the name and role of the token in use. */
    @Command(addMethodSubcommands = false, name = "whoami", mixinStandardHelpOptions = true, description = "Show the name and role of the token in use.")
    static final class WhoAmI implements java.util.concurrent.Callable<Integer> {
        @Mixin Common common;

        @Override
        public Integer call() {
            JsonNode me = common.client().get("/v1/whoami");
            if (common.json) common.printJson(me);
            else System.out.println(me.path("name").asText() + " (" + me.path("role").asText() + ")");
            return 0;
        }
    }
}
