package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.DatabaseSettings;
import dev.luthier.server.storage.db.Dialect;
import dev.luthier.server.storage.db.Sql;
import dev.luthier.server.storage.db.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The storage contracts on the embedded default: a SQLite file in a fresh directory. */
class SqliteStorageTest extends StorageTestBase implements DatabaseContract, SessionRepositoryContract,
        ApiKeyRepositoryContract, TrainingRunRepositoryContract, SamplingSessionRepositoryContract,
        SeqDedupeRepositoryContract, CheckpointRepositoryContract, FutureResultRepositoryContract,
        ConcurrencyContract, RestartContract, TenantRepositoryContract, UsageRepositoryContract,
        AuditRepositoryContract {
    @TempDir
    Path dataDir;

    @Override
    protected Database open() {
        return Database.open(DatabaseSettings.sqlite(dataDir));
    }

    @Test
    void sqliteLivesInLuthierDbInTheDataDirectory() {
        assertThat(db().dialect()).isEqualTo(Dialect.SQLITE);
        assertThat(db().settings().jdbcUrl()).isEqualTo("jdbc:sqlite:" + dataDir.toAbsolutePath().resolve("luthier.db"));
        assertThat(Files.exists(dataDir.resolve("luthier.db"))).isTrue();
    }

    @Test
    void sqliteRunsInWalModeWithABusyTimeoutAndForeignKeys() {
        assertThat(pragma("journal_mode")).isEqualTo("wal");
        assertThat(pragma("busy_timeout")).isEqualTo("30000");
        assertThat(pragma("foreign_keys")).isEqualTo("1");
        assertThat(pragma("synchronous")).isEqualTo("1"); // NORMAL
    }

    private String pragma(String name) {
        return db().read(c -> Sql.one(c, "PRAGMA " + name, rs -> rs.getString(1))).orElseThrow();
    }

    @Test
    void sqliteRefusesAnInMemoryDatabase() {
        // Every pooled connection would get its own empty database.
        assertThatThrownBy(() -> Database.open(DatabaseSettings.sqliteUrl("jdbc:sqlite::memory:")))
                .isInstanceOf(StorageException.class).hasMessageContaining("in-memory");
    }

    @Test
    void keysIssuedBeforeTenantsJoinTheDefaultTenantWhenMigrated() throws Exception {
        db().close();
        Path old = dataDir.resolve("v1");
        Files.createDirectories(old);
        String url = "jdbc:sqlite:" + old.resolve("luthier.db");
        org.flywaydb.core.Flyway.configure().dataSource(url, null, null).locations(Database.MIGRATIONS)
                .placeholders(java.util.Map.of("bytes", "BLOB")).target("1").load().migrate();
        try (var c = java.sql.DriverManager.getConnection(url)) {
            Sql.update(c, "INSERT INTO api_keys (id, key_hash, name, created_at) VALUES ('k', 'h', 'bootstrap', 5)");
        }

        try (Database migrated = Database.open(DatabaseSettings.sqliteUrl(url))) {
            var storage = new Storage(migrated);
            assertThat(storage.apiKeys().get("k").orElseThrow().tenantId()).isEqualTo("default");
            assertThat(storage.tenants().get("default").orElseThrow().createdAt()).isEqualTo(java.time.Instant.ofEpochMilli(5));
        }
    }

    @Test
    void aDatabaseWithoutKeysGetsNoDefaultTenant() {
        assertThat(new Storage(db()).tenants().list()).isEmpty();
    }

    @Test
    void sqliteCheckpointsItsWalWhenClosed() throws Exception {
        Fixtures.session(db(), "s-1", null, at(0));
        db().close();

        Path wal = dataDir.resolve("luthier.db-wal");
        assertThat(!Files.exists(wal) || Files.size(wal) == 0).as("WAL emptied on close").isTrue();
    }
}
