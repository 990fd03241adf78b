package dev.steward.agent.functions;

import dev.steward.agent.Json;
import dev.steward.agent.auth.Caller;
import dev.steward.agent.auth.Rights;
import dev.steward.agent.errors.ConflictException;
import dev.steward.agent.errors.NotFoundException;
import dev.steward.agent.spool.Format;
import dev.steward.agent.spool.Spooler;
import dev.steward.agent.store.Store;
import dev.steward.model.FunctionManifest;
import dev.steward.model.Names;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Functions in the store ({@code functions/NAME}): the one owner of those keys. An added archive is
 * unpacked safely once per content, checked whole (its manifest, its handler, the calls of every
 * function with it) before anything is written, so a refused one leaves nothing behind.
 */
public final class FunctionStore {
    private static final String KEY = "functions/";
    /** Versions kept per function; older ones are dropped from the record as new ones come. */
    static final int VERSIONS_KEPT = 10;
    private final Store store;
    private final Spooler spooler;
    private final Clock clock;
    private final Predicate<String> appNames;

    /** {@code appNames}: whether an app has a name (apps and functions share one namespace). */
    public FunctionStore(Store store, Spooler spooler, Clock clock, Predicate<String> appNames) {
        this.store = store;
        this.spooler = spooler;
        this.clock = clock;
        this.appNames = appNames;
    }

    public dev.steward.agent.spool.Limits spoolLimits() {
        return spooler.limits();
    }

    /** Adds {@code archive} as the next version of {@code name} (its first when new). */
    public FunctionRecord add(String name, Path archive, Format format, Caller who) {
        String problem = Names.problem(name);
        if (problem != null) throw new IllegalArgumentException("bad function name: " + problem);
        if (appNames.test(name)) throw new ConflictException("the name " + name + " is an app's; apps and functions share one namespace");
        mayReplace(name, who);
        Spooler.Spooled<CodeCheck.Checked> code = spooler.take(archive, format, dir -> {
            CodeCheck.Checked c = CodeCheck.check(dir);
            CallRules.check(name, c.manifest(), manifests(name)); // before it is kept: a refused function leaves nothing
            return c;
        }, "function");
        synchronized (this) {
            // again: another caller may have changed the functions while this one unpacked
            Optional<FunctionRecord> before = mayReplace(name, who);
            CallRules.check(name, code.checked().manifest(), manifests(name));
            List<FunctionVersion> versions = new ArrayList<>(before.map(FunctionRecord::versions).orElse(List.of()));
            int number = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
            versions.add(new FunctionVersion(number, code.dir().toString(), code.dir().getFileName().toString(),
                    code.checked().text(), clock.instant().toString()));
            if (versions.size() > VERSIONS_KEPT) versions.subList(0, versions.size() - VERSIONS_KEPT).clear();
            FunctionRecord r = new FunctionRecord(name, before.map(FunctionRecord::owner).orElse(who.name()), versions);
            store.put(KEY + name, Json.write(r));
            return r;
        }
    }

    /** The stored function {@code name}, if any, once {@code who} is known to be allowed to change it. */
    private Optional<FunctionRecord> mayReplace(String name, Caller who) {
        Optional<FunctionRecord> before = function(name);
        before.ifPresent(r -> Rights.requireChange(who, "function " + name, r.owner(), List.of()));
        return before;
    }

    /** Every stored function's current manifest but {@code except}'s. */
    private Map<String, FunctionManifest> manifests(String except) {
        Map<String, FunctionManifest> out = new HashMap<>();
        for (FunctionRecord r : functions()) if (!r.name().equals(except)) out.put(r.name(), r.current().parsed());
        return out;
    }

    /** Every stored function's current manifest. */
    public Map<String, FunctionManifest> manifests() {
        return manifests("");
    }

    public Optional<FunctionRecord> function(String name) {
        return store.get(KEY + name).map(s -> Json.read(s, FunctionRecord.class));
    }

    public List<FunctionRecord> functions() {
        return store.list(KEY).values().stream().map(s -> Json.read(s, FunctionRecord.class)).toList();
    }

    /** Removes {@code name}: refused (404, 403) unless it exists and {@code who} may change it. */
    public synchronized FunctionRecord remove(String name, Caller who) {
        FunctionRecord r = function(name).orElseThrow(() -> new NotFoundException("no function '" + name + "'"));
        Rights.requireChange(who, "function " + name, r.owner(), List.of());
        store.delete(KEY + name);
        return r;
    }
}
