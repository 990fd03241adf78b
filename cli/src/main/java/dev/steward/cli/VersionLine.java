package dev.steward.cli;

/** The {@code --version} line, from what the build wrote. */
public final class VersionLine implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {dev.steward.model.Version.line()};
    }
}
