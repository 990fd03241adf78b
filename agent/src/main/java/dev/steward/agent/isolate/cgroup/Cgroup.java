package dev.steward.agent.isolate.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** One instance's control group (in every hierarchy that v1 needs, or one directory in v2). */
public interface Cgroup {
    /** {@code service/instance}. */
    String name();

    /** The files a process writes its pid to, to join. */
    List<Path> procsFiles();

    void freeze() throws IOException;

    void thaw() throws IOException;

    Usage usage();

    /** How many processes the kernel killed for lack of memory in this group. */
    long oomKills();

    /** The host pids in the group. */
    List<Long> pids();

    /** SIGKILLs every process in the group (thawing it first) and waits briefly for them to go. */
    void killAll();

    /** Removes the group's directories; it must be empty. */
    void remove();
}
