package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.Sql;
import dev.luthier.server.storage.db.StorageException;
import dev.luthier.server.storage.sessions.SessionRepository;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Opening, migrating, reopening and the transaction helpers. */
public interface DatabaseContract extends StorageFixture {
    @Test
    default void databaseMigratesOnFirstOpenAndNotAgainOnReopen() {
        assertThat(db().migrationsApplied()).isGreaterThanOrEqualTo(1);
        long applied = db().read(c -> Sql.count(c, "SELECT COUNT(*) FROM flyway_schema_history WHERE success = ?", true));

        Database again = reopen();

        assertThat(again.migrationsApplied()).isZero();
        long appliedAfter = again.read(c ->
                Sql.count(c, "SELECT COUNT(*) FROM flyway_schema_history WHERE success = ?", true));
        assertThat(appliedAfter).isEqualTo(applied);
    }

    @Test
    default void databaseKeepsWrittenRowsAcrossAReopen() {
        Fixtures.session(db(), "s-1", null, at(0));
        new SessionRepository(db()).heartbeat("s-1", at(5_000));

        Database again = reopen();

        assertThat(new SessionRepository(again).get("s-1")).hasValueSatisfying(s ->
                assertThat(s.lastHeartbeatAt()).isEqualTo(at(5_000)));
    }

    @Test
    default void databaseRollsBackAWriteThatThrows() {
        assertThatThrownBy(() -> db().writeVoid(c -> {
            Fixtures.session(db(), "s-1", null, at(0));
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");

        assertThat(new SessionRepository(db()).get("s-1")).isEmpty();
    }

    @Test
    default void databaseJoinsNestedWritesIntoOneTransaction() {
        assertThatThrownBy(() -> db().writeVoid(c -> {
            Fixtures.session(db(), "s-1", null, at(0));
            Fixtures.session(db(), "s-2", null, at(0));
            // The nested writes see each other before the commit.
            assertThat(new SessionRepository(db()).get("s-1")).isPresent();
            Fixtures.session(db(), "s-1", null, at(0)); // duplicate key: the whole transaction goes
        })).isInstanceOf(StorageException.class);

        assertThat(new SessionRepository(db()).get("s-1")).isEmpty();
        assertThat(new SessionRepository(db()).get("s-2")).isEmpty();
    }

    @Test
    default void databaseRefusesAWriteInsideARead() {
        assertThatThrownBy(() -> db().read(c -> {
            Fixtures.session(db(), "s-1", null, at(0));
            return null;
        })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    default void databaseCloseIsIdempotent() {
        Database d = db();
        d.close();
        d.close();
        assertThat(d.isClosed()).isTrue();
    }
}
