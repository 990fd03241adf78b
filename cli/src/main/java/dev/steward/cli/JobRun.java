package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code steward job run -f SPEC}: starts what the job needs, runs it, prints its log and exits with its status. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a job to completion and exit with its exit status.")
final class JobRun implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Mixin SpecOption spec;

    @Override
    public Integer call() {
        Specs.SpecFile f = spec.read();
        ApiClient c = common.client();
        JsonNode job = c.call("POST", "/v1/jobs", f.text(), f.headers());
        String id = job.path("id").asText();
        try (Progress p = new Progress()) {
            while (!Set.of("succeeded", "failed").contains(job.path("state").asText())) {
                p.show("job " + id + ": " + job.path("state").asText() + (job.path("reason").asText("").isEmpty() ? "" : " (" + job.path("reason").asText() + ")"));
                Wait.sleep();
                job = c.get("/v1/jobs/" + id);
            }
        }
        if (common.json) {
            common.printJson(job);
        } else {
            System.out.print(c.text("/v1/jobs/" + id + "/logs?tail=100000"));
            System.err.println("job " + id + ": " + job.path("state").asText() + " (" + job.path("reason").asText() + ")");
        }
        if (job.path("state").asText().equals("succeeded")) return 0;
        JsonNode code = job.path("exitCode");
        return code.isInt() && code.asInt() != 0 ? code.asInt() : 1;
    }
}
