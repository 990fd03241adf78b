package dev.steward.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code steward service}: the registry's commands. */
@Command(name = "service", mixinStandardHelpOptions = true, description = "Register, start, stop, query and modify services.",
        subcommands = {ServiceRegister.class, ServiceUnregister.class, ServiceStart.class, ServiceStop.class, ServiceQuery.class,
                ServiceModify.class, ServiceLogs.class, ServiceRun.class, ServiceUse.class, ServiceRelease.class, ServicePause.class, ServiceResume.class})
final class ServiceCommand extends CommandGroup {
}
