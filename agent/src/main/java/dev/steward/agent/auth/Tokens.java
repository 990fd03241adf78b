package dev.steward.agent.auth;

import dev.steward.agent.Json;
import dev.steward.agent.errors.ConflictException;
import dev.steward.agent.errors.NotFoundException;
import dev.steward.agent.store.Store;
import dev.steward.model.Names;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API's tokens, kept under {@code tokens/NAME} as their hashes only. The one owner of those keys;
 * checking a token reads an immutable map (no lock, no I/O), so the API's event loops may ask.
 */
public final class Tokens {
    static final String PREFIX = "tokens/";
    /** Where an agent's first start leaves its admin token, in its data dir. */
    public static final String BOOTSTRAP_FILE = "admin.token";
    private static final String SECRET_PREFIX = "stw_";
    private final Store store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile Map<String, TokenRecord> byHash;
    /** The cluster's token, which other agents show (none alone). */
    private final dev.steward.agent.cluster.ClusterToken cluster;
    /** Who another agent is, to this one: it may read (and say hello). */
    public static final Caller PEER = new Caller("cluster-peer", Role.READ_ONLY);

    /** The outcome of checking a secret. */
    public sealed interface Check {
        record Valid(Caller caller) implements Check {}

        record Expired(String name, Instant at) implements Check {}

        record Unknown() implements Check {}
    }

    public Tokens(Store store, Clock clock) {
        this(store, clock, null);
    }

    /** As above; a node of a cluster also takes the cluster's token, from other agents, as {@link #PEER}. */
    public Tokens(Store store, Clock clock, dev.steward.agent.cluster.ClusterToken cluster) {
        this.store = store;
        this.clock = clock;
        this.cluster = cluster;
        reload();
        store.watch(PREFIX, (k, v) -> reload()); // tokens made and revoked through other nodes
    }

    /**
     * At an agent's first start (no token stored yet), makes the admin token {@code admin} and writes
     * it to {@code admin.token} in the data dir, readable by the agent's user only.
     */
    public void bootstrap(Path dataDir) throws IOException {
        bootstrap(dataDir, null);
    }

    /**
     * As {@link #bootstrap(Path)}; a node joining a cluster whose tokens exist already (another node
     * made {@code admin}) makes {@code admin-NODE} for its own data dir, once.
     */
    public synchronized void bootstrap(Path dataDir, String clusterNode) throws IOException {
        String name = "admin";
        if (!store.list(PREFIX).isEmpty()) {
            name = "admin-" + clusterNode;
            if (clusterNode == null || Files.exists(dataDir.resolve(BOOTSTRAP_FILE)) || store.get(PREFIX + name).isPresent()) return;
        }
        String secret;
        try {
            secret = create(name, Role.ADMIN, null);
        } catch (ConflictException e) {
            // nodes of a cluster starting together: another made admin between the look and the write;
            // this one makes its own, as a node that joins later does
            if (clusterNode == null || !name.equals("admin")) throw e;
            name = "admin-" + clusterNode;
            if (Files.exists(dataDir.resolve(BOOTSTRAP_FILE)) || store.get(PREFIX + name).isPresent()) return;
            secret = create(name, Role.ADMIN, null);
        }
        Path file = dataDir.resolve(BOOTSTRAP_FILE);
        Path tmp = Files.createTempFile(dataDir, ".admin-token-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Makes a token; its secret is returned this once and never stored. */
    public synchronized String create(String name, Role role, Duration ttl) {
        String problem = Names.problem(name);
        if (problem != null) throw new IllegalArgumentException("token name: " + problem);
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) throw new IllegalArgumentException("ttl: must be longer than 0s");
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        TokenRecord r = new TokenRecord(name, hash(secret), role, now, ttl == null ? null : now.plus(ttl));
        if (!store.putIfAbsent(PREFIX + name, Json.write(r))) throw new ConflictException("a token named " + name + " exists (revoke it first)");
        reload();
        return secret;
    }

    public synchronized void revoke(String name) {
        if (store.get(PREFIX + name).isEmpty()) throw new NotFoundException("no token named " + name);
        store.delete(PREFIX + name);
        reload();
    }

    public List<TokenRecord> list() {
        return byHash.values().stream().sorted(java.util.Comparator.comparing(TokenRecord::name)).toList();
    }

    public Optional<TokenRecord> named(String name) {
        return byHash.values().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** Who a secret stands for, if anyone. */
    public Check check(String secret) {
        if (cluster != null && cluster.matches(secret)) return new Check.Valid(PEER);
        if (secret == null || !secret.startsWith(SECRET_PREFIX) || secret.length() > 100) return new Check.Unknown();
        TokenRecord r = byHash.get(hash(secret));
        if (r == null) return new Check.Unknown();
        if (r.expired(clock.instant())) return new Check.Expired(r.name(), r.expires());
        return new Check.Valid(new Caller(r.name(), r.role()));
    }

    private void reload() {
        Map<String, TokenRecord> m = new HashMap<>();
        for (String json : store.list(PREFIX).values()) {
            TokenRecord r = Json.read(json, TokenRecord.class);
            m.put(r.hash(), r);
        }
        byHash = Map.copyOf(m);
    }

    public static String hash(String secret) {
        return dev.steward.agent.Sha256.hex(secret);
    }
}
