package dev.steward.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** A command on an open instance's data and a folder here: {@code UUID DIR} (inputs pushed, outputs pulled). */
abstract class InstanceDirCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(index = "0", paramLabel = "UUID")
    String uuid;

    @Parameters(index = "1", paramLabel = "DIR")
    Path dir;
}
