package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code steward job run -f SPEC}: starts what the job needs, runs it, prints its log and exits with its status. */
@Command(addMethodSubcommands = false, name = "run", mixinStandardHelpOptions = true, description = "Run a job to completion and exit with its exit status.")
final class JobRun implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Mixin SpecOption spec;

    @picocli.CommandLine.Option(names = {"-d", "--detach"}, description = "Print the job's id and return at once; the job goes on (see job list, job logs).")
    boolean detach;

    @Override
    public Integer call() {
        Specs.SpecFile f = spec.read();
        ApiClient c = common.client();
        JsonNode job = c.call("POST", "/v1/jobs", f.text(), f.headers());
        String id = job.path("id").asText();
        if (detach) {
            if (common.json) common.printJson(job);
            else System.out.println(id);
            return 0;
        }
        // Ctrl-C (or SIGTERM) while waiting stops the job too, as it would a program run in the foreground
        Thread stopper = new Thread(() -> {
            try {
                c.call("POST", "/v1/jobs/" + id + "/stop", null, java.util.Map.of());
                System.err.println("job " + id + ": stopped (interrupted)");
            } catch (RuntimeException e) {
                System.err.println("job " + id + ": could not be stopped: " + e.getMessage());
            }
        });
        Runtime.getRuntime().addShutdownHook(stopper);
        try (Progress p = new Progress()) {
            while (!Set.of("succeeded", "failed").contains(job.path("state").asText())) {
                p.show("job " + id + ": " + job.path("state").asText() + (job.path("reason").asText("").isEmpty() ? "" : " (" + job.path("reason").asText() + ")"));
                Wait.sleep();
                job = c.get("/v1/jobs/" + id);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C came: the hook stops the job
            }
        }
        if (common.json) {
            common.printJson(job);
        } else {
            System.out.print(c.text("/v1/jobs/" + id + "/logs?tail=100000"));
            System.err.println("job " + id + ": " + job.path("state").asText() + " (" + job.path("reason").asText() + ")");
        }
        if (job.path("state").asText().equals("succeeded")) return 0;
        JsonNode code = job.path("exit-code");
        return code.isInt() && code.asInt() != 0 ? code.asInt() : 1;
    }
}
