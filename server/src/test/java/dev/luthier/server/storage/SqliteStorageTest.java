package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.DatabaseSettings;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The storage contracts on the embedded default: a SQLite file in a fresh directory. */
class SqliteStorageTest extends StorageTestBase implements DatabaseContract, SessionRepositoryContract,
        ApiKeyRepositoryContract, TrainingRunRepositoryContract, SamplingSessionRepositoryContract,
        SeqDedupeRepositoryContract, CheckpointRepositoryContract, FutureResultRepositoryContract,
        ConcurrencyContract {
    @TempDir
    Path dataDir;

    @Override
    protected Database open() {
        return Database.open(DatabaseSettings.sqlite(dataDir));
    }
}
