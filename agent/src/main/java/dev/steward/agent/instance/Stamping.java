package dev.steward.agent.instance;

import dev.steward.agent.logs.LogStamper;

/**
 * An instance writes to its output file ({@link LogStamper#raw}); its log gets each line after the
 * time it was copied, from when it runs (spawned or adopted) until it ends. The file itself goes with
 * the instance's slot, not at an exit: a restart in the slot writes to it again.
 */
final class Stamping implements InstanceHook {
    @Override
    public void running(InstanceRunner i) {
        i.context().stamps().follow(LogStamper.raw(i.log()), i.log());
    }

    @Override
    public void exited(InstanceRunner i) {
        i.context().stamps().finish(LogStamper.raw(i.log()), false);
    }

    @Override
    public void removed(InstanceRunner i) {
        i.context().stamps().finish(LogStamper.raw(i.log()), true);
    }
}
