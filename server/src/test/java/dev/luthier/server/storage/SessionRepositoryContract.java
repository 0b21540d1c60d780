package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Owner;
import dev.luthier.server.storage.db.Page;
import dev.luthier.server.storage.db.PageRequest;
import dev.luthier.server.storage.db.StorageException;
import dev.luthier.server.storage.sessions.Session;
import dev.luthier.server.storage.sessions.SessionRepository;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public interface SessionRepositoryContract extends StorageFixture {
    private SessionRepository sessions() {
        return new SessionRepository(db());
    }

    @Test
    default void sessionIsCreatedAndReadBackWithItsJson() {
        Session s = Session.started("s-1", null, List.of("a", "b"),
                Map.of("team", "nlp", "n", 3, "nested", Map.of("x", List.of(1, 2))), "0.25.0", "proj", at(0));
        sessions().create(s);

        assertThat(sessions().get("s-1")).contains(s);
        assertThat(sessions().get("nope")).isEmpty();
    }

    @Test
    default void sessionWithoutMetadataKeepsNull() {
        sessions().create(Session.started("s-1", null, List.of(), null, null, null, at(0)));

        Session back = sessions().get("s-1").orElseThrow();
        assertThat(back.userMetadata()).isNull();
        assertThat(back.tags()).isEmpty();
        assertThat(back.sdkVersion()).isNull();
    }

    @Test
    default void sessionIdIsUnique() {
        Fixtures.session(db(), "s-1", null, at(0));
        assertThatThrownBy(() -> Fixtures.session(db(), "s-1", null, at(1))).isInstanceOf(StorageException.class);
    }

    @Test
    default void sessionHeartbeatMovesForwardOnly() {
        Fixtures.session(db(), "s-1", null, at(0));

        assertThat(sessions().heartbeat("s-1", at(10_000))).isTrue();
        assertThat(sessions().heartbeat("s-1", at(5_000))).isTrue();
        assertThat(sessions().heartbeat("missing", at(5_000))).isFalse();

        assertThat(sessions().get("s-1").orElseThrow().lastHeartbeatAt()).isEqualTo(at(10_000));
    }

    @Test
    default void sessionProjectCanBeSet() {
        Fixtures.session(db(), "s-1", null, at(0));

        assertThat(sessions().setProject("s-1", "p-9")).isTrue();
        assertThat(sessions().setProject("missing", "p-9")).isFalse();
        assertThat(sessions().get("s-1").orElseThrow().projectId()).isEqualTo("p-9");
    }

    @Test
    default void sessionListIsNewestFirstPagedAndFilteredByOwner() {
        ApiKeysFixture.key(db(), "k-1", at(0));
        ApiKeysFixture.key(db(), "k-2", at(0));
        for (int i = 0; i < 5; i++) {
            Fixtures.session(db(), "mine-" + i, "k-1", at(i / 2)); // pairs share a timestamp: ties break by id
        }
        Fixtures.session(db(), "theirs", "k-2", at(100));

        Page<Session> first = sessions().list(Owner.apiKey("k-1"), PageRequest.of(0, 2));
        Page<Session> second = sessions().list(Owner.apiKey("k-1"), PageRequest.of(2, 2));
        Page<Session> third = sessions().list(Owner.apiKey("k-1"), PageRequest.of(4, 2));

        assertThat(first.totalCount()).isEqualTo(5);
        assertThat(first.items()).extracting(Session::id).containsExactly("mine-4", "mine-3");
        assertThat(second.items()).extracting(Session::id).containsExactly("mine-2", "mine-1");
        assertThat(third.items()).extracting(Session::id).containsExactly("mine-0");
        assertThat(first.hasMore()).isTrue();
        assertThat(third.hasMore()).isFalse();
        assertThat(sessions().list(Owner.anyone(), PageRequest.first(10)).items()).extracting(Session::id)
                .containsExactly("theirs", "mine-4", "mine-3", "mine-2", "mine-1", "mine-0");
    }

    @Test
    default void sessionsSilentSinceATimeAreListedOldestFirst() {
        Fixtures.session(db(), "s-1", null, at(0));
        Fixtures.session(db(), "s-2", null, at(0));
        Fixtures.session(db(), "s-3", null, at(0));
        sessions().heartbeat("s-1", at(30_000));
        sessions().heartbeat("s-3", at(20_000));

        assertThat(sessions().listSilentSince(at(25_000), 10)).extracting(Session::id).containsExactly("s-2", "s-3");
        assertThat(sessions().listSilentSince(at(25_000), 1)).extracting(Session::id).containsExactly("s-2");
    }
}
