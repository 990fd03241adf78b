package dev.steward.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoreTest {
    static EtcdServer etcd;
    static int roots;
    @TempDir Path tmp;

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) etcd.close();
    }

    /** A store of {@code kind}; an etcd one on a root of its own in the one etcd this class starts (skipped without etcd). */
    Store open(String kind) {
        return switch (kind) {
            case "sqlite" -> new SqliteStore(tmp.resolve("s.db"));
            case "memory" -> new MemoryStore();
            default -> etcd("/t" + (++roots) + "/", "a");
        };
    }

    static EtcdStore etcd(String root, String node) {
        Assumptions.assumeTrue(EtcdServer.unavailable() == null, EtcdServer::unavailable);
        try {
            if (etcd == null) etcd = EtcdServer.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new EtcdStore(etcd.endpoints(), new Layout(root, node, Layout.LOCAL));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "memory", "etcd"})
    void putsListsAndDeletesByPrefix(String kind) {
        try (Store s = open(kind)) {
            s.put("services/b", "2");
            s.put("services/a", "1");
            s.put("instances/a/x", "i");
            s.put("services/a", "1b");
            assertThat(s.get("services/a")).contains("1b");
            assertThat(s.list("services/")).containsExactly(Map.entry("services/a", "1b"), Map.entry("services/b", "2"));
            s.apply(Map.of("services/c", "3"), List.of("services/b"));
            assertThat(s.list("services/").keySet()).containsExactly("services/a", "services/c");
            s.deletePrefix("instances/a/");
            assertThat(s.list("instances/")).isEmpty();
            s.delete("services/a");
            assertThat(s.get("services/a")).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "memory", "etcd"})
    void compareAndApplyWritesOnlyWhatWasRead(String kind) {
        try (Store s = open(kind)) {
            assertThat(s.putIfAbsent("tokens/a", "1")).isTrue();
            assertThat(s.putIfAbsent("tokens/a", "2")).isFalse();
            assertThat(s.get("tokens/a")).contains("1");
            assertThat(s.compareAndApply(Map.of("tokens/a", Optional.of("0")), Map.of("tokens/a", "3"), List.of())).isFalse();
            assertThat(s.compareAndApply(Map.of("tokens/a", Optional.of("1")), Map.of("tokens/b", "3"), List.of("tokens/a"))).isTrue();
            assertThat(s.list("tokens/")).containsExactly(Map.entry("tokens/b", "3"));
        }
    }

    @Test
    void etcdKeepsEachNodesLocalKeysApartAndSeesTheOthersWrites() throws Exception {
        try (EtcdStore a = etcd("/shared/", "a"); EtcdStore b = etcd("/shared/", "b")) {
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            b.watch("services/", (k, v) -> seen.add(k + "=" + v.orElse("-")));
            a.put("instances/web/1", "on-a");
            b.put("instances/web/2", "on-b");
            a.put("services/web", "spec");
            assertThat(a.list("instances/")).containsExactly(Map.entry("instances/web/1", "on-a"));
            assertThat(b.list("instances/")).containsExactly(Map.entry("instances/web/2", "on-b"));
            assertThat(b.listRaw("local/")).containsOnlyKeys("local/a/instances/web/1", "local/b/instances/web/2");
            awaitTrue(() -> seen.contains("services/web=spec"));
            assertThat(b.get("services/web")).contains("spec");
            a.delete("services/web");
            awaitTrue(() -> seen.contains("services/web=-"));
            // b's cache saw a's write and delete, so b's compare against the old value fails
            assertThat(b.compareAndApply(Map.of("services/web", Optional.of("spec")), Map.of("services/web", "x"), List.of())).isFalse();
        }
    }

    @Test
    void etcdRefusesABatchLargerThanOneTransactionAndWritesNothing() {
        try (Store s = open("etcd")) {
            Map<String, String> puts = new java.util.HashMap<>();
            for (int i = 0; i <= Store.MAX_BATCH; i++) puts.put("services/s" + i, "v");
            assertThatThrownBy(() -> s.apply(puts, List.of())).isInstanceOf(StoreException.class)
                    .hasMessageContaining("129 changes").hasMessageContaining("(128)");
            assertThat(s.list("services/")).isEmpty();
        }
    }

    @Test
    void etcdReloadsWhatAnEarlierStoreWrote() {
        try (Store s = etcd("/reload/", "a")) {
            s.apply(Map.of("services/x", "1", "instances/x/1", "i"), List.of());
        }
        try (Store s = etcd("/reload/", "a")) {
            assertThat(s.get("services/x")).contains("1");
            assertThat(s.list("instances/x/")).containsOnlyKeys("instances/x/1");
        }
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void sqliteKeepsDataAcrossReopenInWalMode() throws Exception {
        try (Store s = new SqliteStore(tmp.resolve("s.db"))) {
            s.put("k", "v");
        }
        try (Store s = new SqliteStore(tmp.resolve("s.db"))) {
            assertThat(s.get("k")).contains("v");
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("s.db"));
             var rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
    }

    @Test
    void aFailedBatchChangesNothing() {
        try (SqliteStore s = new SqliteStore(tmp.resolve("s.db"))) {
            s.put("a", "1");
            java.util.Map<String, String> bad = new java.util.HashMap<>();
            bad.put("b", "2");
            bad.put("c", null);
            try {
                s.apply(bad, List.of("a"));
            } catch (StoreException expected) {
                // NOT NULL refuses c
            }
            assertThat(s.get("a")).contains("1");
            assertThat(s.get("b")).isEmpty();
        }
    }

    @Test
    void sqlitesNativeLibraryIsCopiedOnceIntoTheAgentsDirectoryAndFoundThereAfter() throws Exception {
        String path = System.getProperty(SqliteNative.PATH), name = System.getProperty(SqliteNative.NAME);
        try {
            System.clearProperty(SqliteNative.PATH);
            SqliteNative.prepare(tmp.resolve("bin"));
            Path dir = Path.of(System.getProperty(SqliteNative.PATH));
            Path lib = dir.resolve(System.getProperty(SqliteNative.NAME));
            assertThat(dir).startsWith(tmp.resolve("bin"));
            String resource = "/org/sqlite/native/" + org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS() + "/" + lib.getFileName();
            try (var in = org.sqlite.JDBC.class.getResourceAsStream(resource)) {
                assertThat(java.nio.file.Files.readAllBytes(lib)).isEqualTo(in.readAllBytes());
            }
            assertThat(java.nio.file.Files.list(dir)).containsExactly(lib); // no part file left
            long written = java.nio.file.Files.getLastModifiedTime(lib).toMillis();
            java.nio.file.Files.setLastModifiedTime(lib, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
            System.clearProperty(SqliteNative.PATH);
            SqliteNative.prepare(tmp.resolve("bin")); // the next start finds it and leaves it alone
            assertThat(System.getProperty(SqliteNative.PATH)).isEqualTo(dir.toString());
            assertThat(java.nio.file.Files.getLastModifiedTime(lib).toMillis()).isEqualTo(written - 60_000);
        } finally {
            restore(SqliteNative.PATH, path);
            restore(SqliteNative.NAME, name);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) System.clearProperty(key);
        else System.setProperty(key, value);
    }
}
