package dev.steward.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command tree, in one place, built only along the path a command line takes: picocli reads each
 * command's options by reflection when it is added, which for all fifty commands cost most of a
 * command's start. {@code steward service query} builds three; a command line that names no command,
 * or one that does not exist, gets the whole level (for its usage and its "did you mean").
 */
final class Commands {
    private static final Map<Class<?>, List<Class<?>>> TREE = Map.of(
            Main.class, List.of(AgentCommand.class, ServiceCommand.class, ApplyCommand.class, JobCommand.class, AppCommand.class, FnCommand.class,
                    ProfileCommand.class, RunlistCommand.class, StatusCommand.class, TokenCommand.class, LoginCommand.class,
                    LoginCommand.Logout.class, LoginCommand.WhoAmI.class, AuditCommand.class, VersionCommand.class, CompletionCommand.class, ClusterCommand.class,
                    EventsCommand.class, NodeCommand.class, ServiceLogs.class),
            ServiceCommand.class, List.of(ServiceRegister.class, ServiceUnregister.class, ServiceStart.class, ServiceStop.class,
                    ServiceQuery.class, ServiceModify.class, ServiceLogs.class, ServiceRun.class, ServiceUse.class, ServiceRelease.class,
                    ServicePause.class, ServiceResume.class, ServiceShow.class, ServiceOpen.class, ServiceClose.class, ServiceInstances.class, ServiceEvents.class,
                    ServiceInputs.class, ServiceOutputs.class, ServiceImport.class),
            JobCommand.class, List.of(JobRun.class, JobCommand.ListJobs.class, JobCommand.Logs.class, JobCommand.Stop.class),
            AppCommand.class, List.of(AppCommand.Upload.class, AppCommand.Start.class, AppCommand.Pause.class, AppCommand.Invoke.class,
                    AppCommand.ListApps.class, AppCommand.Info.class, AppCommand.Logs.class, AppCommand.Remove.class),
            FnCommand.class, List.of(FnCommand.Add.class, FnCommand.Ls.class, FnCommand.Info.class, FnCommand.Rm.class, FnCommand.Invoke.class,
                    FnCommand.Logs.class),
            ProfileCommand.class, List.of(ProfileCommand.Upload.class, ProfileCommand.ListProfiles.class, ProfileCommand.Show.class,
                    ProfileCommand.Remove.class),
            RunlistCommand.class, List.of(RunlistCommand.Add.class, RunlistCommand.Remove.class, RunlistCommand.ListAll.class),
            TokenCommand.class, List.of(TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class),
            ClusterCommand.class, List.of(ClusterCommand.NodesCommand.class),
            NodeCommand.class, List.of(NodeCommand.Drain.class, NodeCommand.Undrain.class));

    private Commands() {}

    /** The tree {@code args} needs: the commands they name, and the whole level where they name none that exists. */
    static CommandLine forArgs(Object top, String[] args) {
        CommandLine root = new CommandLine(top);
        CommandLine at = root;
        int i = 0;
        while (TREE.containsKey(at.getCommandSpec().userObject().getClass())) {
            List<Class<?>> children = TREE.get(at.getCommandSpec().userObject().getClass());
            boolean help = false;
            int levelStart = i;
            for (; i < args.length && args[i].startsWith("-"); i++) { // options of this level (--help, --version)
                help |= args[i].equals("-h") || args[i].equals("--help");
            }
            Class<?> named = i < args.length ? named(children, args[i]) : null;
            if (named == null) {
                // the level's usage is shown (help, or no command given) or a word is not a command (suggestions);
                // else (--version) nothing under it is needed
                boolean versionOnly = !help && i == args.length && i > levelStart;
                if (!versionOnly) for (Class<?> c : children) at.addSubcommand(whole(c));
                break;
            }
            CommandLine child = new CommandLine(named);
            at.addSubcommand(child);
            at = child;
            i++;
        }
        return root;
    }

    /** A command with everything under it (usage, completion). */
    static CommandLine whole(Object command) {
        CommandLine cl = command instanceof Class<?> c ? new CommandLine(c) : new CommandLine(command);
        for (Class<?> c : TREE.getOrDefault(cl.getCommandSpec().userObject().getClass(), List.of())) cl.addSubcommand(whole(c));
        return cl;
    }

    private static Class<?> named(List<Class<?>> children, String word) {
        for (Class<?> c : children) {
            Command a = c.getAnnotation(Command.class);
            if (a.name().equals(word) || List.of(a.aliases()).contains(word)) return c;
        }
        return null;
    }
}
