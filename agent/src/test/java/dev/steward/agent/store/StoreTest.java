package dev.steward.agent.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoreTest {
    @TempDir Path tmp;

    Store open(String kind) {
        return kind.equals("sqlite") ? new SqliteStore(tmp.resolve("s.db")) : new MemoryStore();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "memory"})
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
