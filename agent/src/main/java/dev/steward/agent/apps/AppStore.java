package dev.steward.agent.apps;

import dev.steward.agent.Json;
import dev.steward.agent.auth.Caller;
import dev.steward.agent.auth.Rights;
import dev.steward.agent.spool.Format;
import dev.steward.agent.spool.SpoolException;
import dev.steward.agent.spool.Spooler;
import dev.steward.agent.store.Store;
import dev.steward.agent.errors.ConflictException;
import dev.steward.agent.errors.NotFoundException;
import dev.steward.model.Manifest;
import dev.steward.model.Names;
import dev.steward.model.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Apps, profiles and the runlist in the store ({@code apps/NAME}, {@code profiles/NAME},
 * {@code runlist/APP} = profile). The one owner of those keys; each change is checked whole before
 * anything is written, so a refused upload leaves nothing behind.
 */
public final class AppStore {
    private static final String APPS = "apps/";
    private static final String PROFILES = "profiles/";
    private static final String RUNLIST = "runlist/";
    /** The largest manifest.json read. */
    private static final long MAX_MANIFEST = 1L << 20;
    private final Store store;
    private final Spooler spooler;
    private final Clock clock;

    public AppStore(Store store, Spooler spooler, Clock clock) {
        this.store = store;
        this.spooler = spooler;
        this.clock = clock;
    }

    // ---- apps ---------------------------------------------------------------------------------

    /** The limits archives are spooled within: uploads are taken within them too. */
    public dev.steward.agent.spool.Limits spoolLimits() {
        return spooler.limits();
    }

    /**
     * Unpacks {@code archive} (safely, once per content), checks it is an app and stores the app its
     * manifest describes. A refused archive leaves nothing behind and changes nothing stored.
     */
    public AppRecord upload(String name, Path archive, Format format, Caller who) {
        name(name, "app");
        mayReplace(name, who);
        Spooler.Spooled<Manifest> app = spooler.take(archive, format, AppStore::checkApp, "app");
        Manifest m = app.checked();
        synchronized (this) {
            // again: another caller may have made the app while this one unpacked
            String owner = mayReplace(name, who).map(AppRecord::owner).orElse(who.name());
            AppRecord r = new AppRecord(name, app.dir().toString(), m.slave(), m.environment(), clock.instant().toString(), owner,
                    m.locatorArg(), m.warnings());
            store.put(APPS + name, Json.write(r));
            return r;
        }
    }

    /** The app stored as {@code name}, if any, once {@code who} is known to be allowed to replace it. */
    private Optional<AppRecord> mayReplace(String name, Caller who) {
        Optional<AppRecord> before = app(name);
        before.ifPresent(r -> Rights.requireChange(who, "app " + name, r.owner(), List.of()));
        return before;
    }

    /** The app's manifest, once its worker is known to be a file in it, made executable (zip tools lose the bit). */
    private static Manifest checkApp(Path dir) {
        Path manifestFile = dir.resolve("manifest.json");
        if (!Files.isRegularFile(manifestFile)) throw new IllegalArgumentException("the app has no manifest.json at its root");
        Manifest m;
        try {
            if (Files.size(manifestFile) > MAX_MANIFEST) throw new IllegalArgumentException("manifest.json is larger than " + MAX_MANIFEST + " bytes");
            m = Manifest.parse(Files.readString(manifestFile));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read manifest.json: " + SpoolException.reason(e));
        }
        try {
            // links in the app were checked to stay inside it; the mode is set on the file, never through a link
            Path worker = dir.resolve(m.slave()).toRealPath();
            if (!worker.startsWith(dir.toRealPath()) || !Files.isRegularFile(worker, LinkOption.NOFOLLOW_LINKS)) throw new NoSuchFileException(m.slave());
            if (!Files.isExecutable(worker)) {
                PosixFileAttributeView view = Files.getFileAttributeView(worker, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                Set<PosixFilePermission> perms = EnumSet.copyOf(view.readAttributes().permissions());
                perms.addAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
                view.setPermissions(perms);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the manifest's slave '" + m.slave() + "' is not a file in the app");
        }
        return m;
    }

    public Optional<AppRecord> app(String name) {
        return store.get(APPS + name).map(s -> Json.read(s, AppRecord.class));
    }

    public List<AppRecord> apps() {
        return store.list(APPS).values().stream().map(s -> Json.read(s, AppRecord.class)).toList();
    }

    public synchronized void removeApp(String name, Caller who) {
        mayChangeApp(name, who);
        if (store.get(RUNLIST + name).isPresent()) throw new ConflictException("app " + name + " is in the runlist; remove it from there first");
        store.delete(APPS + name);
    }

    // ---- profiles -----------------------------------------------------------------------------

    public synchronized ProfileRecord putProfile(String name, String text, Caller who) {
        name(name, "profile");
        Optional<ProfileRecord> before = profileRecord(name);
        before.ifPresent(r -> Rights.requireChange(who, "profile " + name, r.owner(), List.of()));
        Profile.parse(text); // every problem named, nothing stored
        ProfileRecord r = new ProfileRecord(name, text == null ? "" : text, clock.instant().toString(),
                before.map(ProfileRecord::owner).orElse(who.name()));
        store.put(PROFILES + name, Json.write(r));
        return r;
    }

    public Optional<ProfileRecord> profileRecord(String name) {
        return store.get(PROFILES + name).map(s -> Json.read(s, ProfileRecord.class));
    }

    /** The profile with every default filled in. */
    public Optional<Profile> profile(String name) {
        return profileRecord(name).map(r -> Profile.parse(r.source()));
    }

    public List<ProfileRecord> profiles() {
        return store.list(PROFILES).values().stream().map(s -> Json.read(s, ProfileRecord.class)).toList();
    }

    public synchronized void removeProfile(String name, Caller who) {
        ProfileRecord p = profileRecord(name).orElseThrow(() -> new NotFoundException("no profile '" + name + "'"));
        Rights.requireChange(who, "profile " + name, p.owner(), List.of());
        List<String> users = runlist().entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey).toList();
        if (!users.isEmpty()) throw new ConflictException("profile " + name + " is used by the runlist for " + String.join(", ", users));
        store.delete(PROFILES + name);
    }

    // ---- runlist ------------------------------------------------------------------------------

    public synchronized void runlistAdd(String app, String profile, Caller who) {
        name(app, "app");
        name(profile, "profile");
        AppRecord a = app(app).orElseThrow(() -> new NotFoundException("no app '" + app + "' (upload it first)"));
        Rights.requireChange(who, "app " + app, a.owner(), List.of());
        if (profileRecord(profile).isEmpty()) throw new NotFoundException("no profile '" + profile + "' (upload it first)");
        store.put(RUNLIST + app, Json.write(profile));
    }

    public synchronized void runlistRemove(String app, Caller who) {
        app(app).ifPresent(a -> Rights.requireChange(who, "app " + app, a.owner(), List.of()));
        if (store.get(RUNLIST + app).isEmpty()) throw new NotFoundException("app " + app + " is not in the runlist");
        store.delete(RUNLIST + app);
    }

    /** App to profile, by app name. */
    public Map<String, String> runlist() {
        Map<String, String> out = new TreeMap<>();
        store.list(RUNLIST).forEach((k, v) -> out.put(k.substring(RUNLIST.length()), Json.read(v, String.class)));
        return out;
    }

    /** Refuses (404, 403) unless the app exists and {@code who} may change it. */
    public void mayChangeApp(String name, Caller who) {
        AppRecord a = app(name).orElseThrow(() -> new NotFoundException("no app '" + name + "'"));
        Rights.requireChange(who, "app " + name, a.owner(), List.of());
    }

    private static void name(String name, String what) {
        String problem = Names.problem(name);
        if (problem != null) throw new IllegalArgumentException("bad " + what + " name: " + problem);
    }
}
