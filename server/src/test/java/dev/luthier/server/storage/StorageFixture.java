package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Database;

import java.time.Instant;

/** What the storage contracts need from a concrete test: a fresh database, and a way to reopen it. */
public interface StorageFixture {
    /** A fixed starting time; every timestamp in the tests is {@code T0} plus whole milliseconds. */
    Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    /** The database of the current test, open and migrated. */
    Database db();

    /** Closes the database and opens the same one again, as a restarted server would. */
    Database reopen();

    /** {@code T0} plus {@code millis}. */
    default Instant at(long millis) {
        return T0.plusMillis(millis);
    }
}
