package dev.steward.agent.isolate;

import dev.steward.agent.isolate.cgroup.Cgroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a spawned process joins its instance's cgroup before anything of the instance runs, so that no
 * process of it is ever outside: the helper ({@code --join FILE}, one exec) or, where it was not
 * built, a shell that writes its own pid and then execs the rest in the same process.
 */
final class CgroupJoin {
    /** Joins every cgroup.procs file given before "--", then execs the rest. */
    private static final String SCRIPT = "for f; do shift; [ \"$f\" = -- ] && break; echo $$ > \"$f\" || exit 125; done; exec \"$@\"";

    private CgroupJoin() {}

    /** The helper's options that join {@code cg}. */
    static List<String> helperOptions(Cgroup cg) {
        List<String> a = new ArrayList<>();
        cg.procsFiles().forEach(p -> a.addAll(List.of("--join", p.toString())));
        return a;
    }

    /** A shell that joins {@code cg} and then execs what follows this prefix. */
    static List<String> shell(Cgroup cg) {
        List<String> a = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "join"));
        cg.procsFiles().forEach(p -> a.add(p.toString()));
        a.add("--");
        return a;
    }

    /**
     * {@code command} run in place (same pid, session and group) once it has joined {@code cg}, in the network namespace
     * at {@code netns} when it is not null; through the helper unless it is null.
     */
    static List<String> plain(Path helper, Cgroup cg, List<String> command, String user, String netns) {
        List<String> a = new ArrayList<>();
        if (helper == null) {
            a.addAll(shell(cg));
            if (netns != null) a.addAll(List.of("nsenter", "--net=" + netns, "--"));
            if (user != null) {
                a.addAll(List.of("setpriv", "--no-new-privs"));
                a.addAll(Users.setprivArgs(user));
                a.add("--");
            }
        } else {
            a.addAll(List.of(helper.toString(), "--plain"));
            if (netns != null) a.addAll(List.of("--netns", netns));
            if (user != null) a.addAll(List.of("--user", Users.helperArg(user)));
            a.addAll(helperOptions(cg));
            a.add("--");
        }
        a.addAll(command);
        return a;
    }
}
