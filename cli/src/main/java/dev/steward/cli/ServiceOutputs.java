package dev.steward.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code steward service outputs pull UUID DIR}: an open instance's outputs, as they are now. */
@Command(addMethodSubcommands = false, name = "outputs", mixinStandardHelpOptions = true, subcommands = ServiceOutputs.Pull.class,
        description = "The outputs of an open instance.")
final class ServiceOutputs extends CommandGroup {
    /** Fetches the outputs folder as an archive and unpacks it into DIR, refusing any entry that would land outside it. */
    @Command(addMethodSubcommands = false, name = "pull", mixinStandardHelpOptions = true,
            description = "Copy the outputs folder of an open instance, as it is now, into DIR (made when missing; files of the same names are replaced).")
    static final class Pull extends InstanceDirCommand {
        @Override
        public Integer call() throws IOException {
            String path = "/v1/dynamic/" + NameArg.uuid(uuid) + "/outputs";
            if (Files.exists(dir) && !Files.isDirectory(dir)) throw new CliException(2, "DIR: " + dir + " is not a directory");
            Path packed = Files.createTempFile("steward-outputs-", ".tar.gz");
            try {
                var headers = common.client().download(path, packed);
                long leftOut = Long.parseLong(headers.getOrDefault("steward-left-out", "0"));
                int files = Archives.unpack(packed, dir);
                if (common.json) {
                    var o = Json.object();
                    o.put("uuid", uuid).put("dir", dir.toAbsolutePath().toString()).put("files", files).put("left-out", leftOut);
                    common.printJson(o);
                } else {
                    System.out.println(uuid + ": " + files + " file" + (files == 1 ? "" : "s") + " pulled to " + dir);
                    if (leftOut > 0) System.err.println("steward: " + leftOut + " link(s) or special file(s) of the outputs left out");
                }
                return 0;
            } finally {
                Files.deleteIfExists(packed);
            }
        }
    }
}
