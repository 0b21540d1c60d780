package dev.luthier.server.storage;

import dev.luthier.server.storage.checkpoints.Checkpoint;
import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.server.storage.checkpoints.CheckpointRepository;
import dev.luthier.api.ids.TinkerPath;
import dev.luthier.server.storage.db.Owner;
import dev.luthier.server.storage.db.Page;
import dev.luthier.server.storage.db.PageRequest;
import dev.luthier.server.storage.db.StorageException;
import dev.luthier.server.storage.keys.ApiKeyRepository;
import dev.luthier.server.storage.runs.TrainingRun;
import dev.luthier.server.storage.sessions.Session;
import dev.luthier.server.storage.sessions.SessionRepository;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public interface CheckpointRepositoryContract extends StorageFixture {
    private CheckpointRepository checkpoints() {
        return new CheckpointRepository(db());
    }

    private TrainingRun ownedRun(String keyId, String sessionId) {
        if (keyId != null && new ApiKeyRepository(db()).get(keyId).isEmpty()) {
            ApiKeysFixture.key(db(), keyId, at(0));
        }
        Session s = Fixtures.session(db(), sessionId, keyId, at(0));
        return Fixtures.run(db(), s, 0, at(0));
    }

    private Checkpoint save(TrainingRun run, CheckpointKind kind, String name, Instant at, Duration ttl) {
        TinkerPath path = new TinkerPath(run.modelId(), kind, name);
        Checkpoint cp = Checkpoint.saved("id-" + path, path, "/data/ckpt/" + run.modelId() + "/" + name, 1234L, at, ttl);
        assertThat(checkpoints().insert(cp)).isTrue();
        return cp;
    }

    @Test
    default void checkpointIsInsertedAndFoundByTinkerPath() {
        TrainingRun run = ownedRun(null, "s");
        Checkpoint cp = save(run, CheckpointKind.WEIGHTS, "step-10", at(100), Duration.ofHours(1));

        Checkpoint back = checkpoints().findByTinkerPath("tinker://s:train:0/weights/step-10").orElseThrow();
        assertThat(back).isEqualTo(cp);
        assertThat(back.checkpointId()).isEqualTo("weights/step-10");
        assertThat(back.expiresAt()).isEqualTo(at(100).plus(Duration.ofHours(1)));
        assertThat(back.isPublic()).isFalse();
        assertThat(checkpoints().findByTinkerPath("tinker://s:train:0/sampler_weights/step-10")).isEmpty();
    }

    @Test
    default void checkpointPathIsTakenOnceUnlessReplaced() {
        TrainingRun run = ownedRun(null, "s");
        Checkpoint first = save(run, CheckpointKind.WEIGHTS, "final", at(1), null);
        Checkpoint second = Checkpoint.saved("other-id", first.path(), "/data/other", 99L, at(2), null);

        assertThat(checkpoints().insert(second)).isFalse();
        assertThat(checkpoints().findByTinkerPath(first.tinkerPath())).contains(first);

        assertThat(checkpoints().replace(second)).contains(first);
        assertThat(checkpoints().findByTinkerPath(first.tinkerPath())).contains(second);
    }

    @Test
    default void checkpointNeedsAnExistingRun() {
        TinkerPath path = new TinkerPath("ghost:train:0", CheckpointKind.WEIGHTS, "x");
        assertThatThrownBy(() -> checkpoints().insert(Checkpoint.saved("id", path, "/d", null, at(0), null)))
                .isInstanceOf(StorageException.class);
    }

    @Test
    default void checkpointsOfARunArePagedNewestFirstWithTheLatestOfEachKind() {
        TrainingRun run = ownedRun(null, "s");
        TrainingRun other = Fixtures.run(db(), new SessionRepository(db()).get("s").orElseThrow(), 1, at(0));
        for (int i = 0; i < 7; i++) {
            save(run, CheckpointKind.WEIGHTS, String.format("%06d", i), at(i / 2), null);
        }
        save(run, CheckpointKind.SAMPLER_WEIGHTS, "s-1", at(10), null);
        save(run, CheckpointKind.SAMPLER_WEIGHTS, "s-2", at(20), null);
        save(other, CheckpointKind.WEIGHTS, "elsewhere", at(99), null);

        Page<Checkpoint> first = checkpoints().listByRun(run.modelId(), PageRequest.of(0, 4));
        Page<Checkpoint> second = checkpoints().listByRun(run.modelId(), PageRequest.of(4, 4));
        Page<Checkpoint> third = checkpoints().listByRun(run.modelId(), PageRequest.of(8, 4));

        assertThat(first.totalCount()).isEqualTo(9);
        assertThat(first.items()).extracting(Checkpoint::checkpointId).containsExactly(
                "sampler_weights/s-2", "sampler_weights/s-1", "weights/000006", "weights/000005");
        assertThat(second.items()).extracting(Checkpoint::checkpointId).containsExactly(
                "weights/000004", "weights/000003", "weights/000002", "weights/000001");
        assertThat(third.items()).extracting(Checkpoint::checkpointId).containsExactly("weights/000000");

        assertThat(checkpoints().latest(run.modelId(), CheckpointKind.WEIGHTS)).hasValueSatisfying(cp ->
                assertThat(cp.name()).isEqualTo("000006"));
        assertThat(checkpoints().latest(run.modelId(), CheckpointKind.SAMPLER_WEIGHTS)).hasValueSatisfying(cp ->
                assertThat(cp.name()).isEqualTo("s-2"));
        assertThat(checkpoints().latest("s:train:7", CheckpointKind.SAMPLER_WEIGHTS)).isEmpty();
    }

    @Test
    default void checkpointsOfAnOwnerSpanTheirRunsAndOptionallyPublicOnes() {
        TrainingRun mine1 = ownedRun("k-1", "a");
        TrainingRun mine2 = ownedRun("k-1", "b");
        TrainingRun theirs = ownedRun("k-2", "c");
        save(mine1, CheckpointKind.WEIGHTS, "one", at(1), null);
        save(mine2, CheckpointKind.SAMPLER_WEIGHTS, "two", at(2), null);
        save(theirs, CheckpointKind.WEIGHTS, "private", at(3), null);
        Checkpoint published = save(theirs, CheckpointKind.SAMPLER_WEIGHTS, "shared", at(4), null);
        assertThat(checkpoints().setPublic(published.tinkerPath(), true)).isTrue();

        Page<Checkpoint> owned = checkpoints().listForOwner(Owner.apiKey("k-1"), false, PageRequest.first(10));
        Page<Checkpoint> accessible = checkpoints().listForOwner(Owner.apiKey("k-1"), true, PageRequest.first(10));
        Page<Checkpoint> everything = checkpoints().listForOwner(Owner.anyone(), false, PageRequest.first(2));

        assertThat(owned.items()).extracting(Checkpoint::name).containsExactly("two", "one");
        assertThat(owned.totalCount()).isEqualTo(2);
        assertThat(accessible.items()).extracting(Checkpoint::name).containsExactly("shared", "two", "one");
        assertThat(everything.items()).extracting(Checkpoint::name).containsExactly("shared", "private");
        assertThat(everything.totalCount()).isEqualTo(4);
    }

    @Test
    default void checkpointPublishReportsWhetherItChanged() {
        TrainingRun run = ownedRun(null, "s");
        Checkpoint cp = save(run, CheckpointKind.SAMPLER_WEIGHTS, "x", at(0), null);

        assertThat(checkpoints().setPublic(cp.tinkerPath(), true)).isTrue();
        assertThat(checkpoints().setPublic(cp.tinkerPath(), true)).isFalse(); // already public: the REST layer's 409
        assertThat(checkpoints().findByTinkerPath(cp.tinkerPath()).orElseThrow().isPublic()).isTrue();
        assertThat(checkpoints().setPublic(cp.tinkerPath(), false)).isTrue();
        assertThat(checkpoints().findByTinkerPath(cp.tinkerPath()).orElseThrow().isPublic()).isFalse();
        assertThat(checkpoints().setPublic("tinker://s:train:0/sampler_weights/none", true)).isFalse();
    }

    @Test
    default void checkpointExpiryCanBeSetAndRemoved() {
        TrainingRun run = ownedRun(null, "s");
        Checkpoint cp = save(run, CheckpointKind.WEIGHTS, "x", at(0), null);

        assertThat(checkpoints().setExpiresAt(cp.tinkerPath(), at(60_000))).isTrue();
        Checkpoint expiring = checkpoints().findByTinkerPath(cp.tinkerPath()).orElseThrow();
        assertThat(expiring.expiresAt()).isEqualTo(at(60_000));
        assertThat(expiring.expiredAt(at(59_999))).isFalse();
        assertThat(expiring.expiredAt(at(60_000))).isTrue();

        assertThat(checkpoints().setExpiresAt(cp.tinkerPath(), null)).isTrue();
        assertThat(checkpoints().findByTinkerPath(cp.tinkerPath()).orElseThrow().expiresAt()).isNull();
        assertThat(checkpoints().setExpiresAt("tinker://s:train:0/weights/none", at(1))).isFalse();
    }

    @Test
    default void checkpointsExpiredByATimeAreListedSoonestFirst() {
        TrainingRun run = ownedRun(null, "s");
        save(run, CheckpointKind.WEIGHTS, "forever", at(0), null);
        save(run, CheckpointKind.WEIGHTS, "late", at(0), Duration.ofMillis(300));
        save(run, CheckpointKind.WEIGHTS, "early", at(0), Duration.ofMillis(100));
        save(run, CheckpointKind.SAMPLER_WEIGHTS, "exact", at(0), Duration.ofMillis(200));

        List<String> names = new ArrayList<>();
        checkpoints().listExpired(at(200), 10).forEach(cp -> names.add(cp.name()));
        assertThat(names).containsExactly("early", "exact");
        assertThat(checkpoints().listExpired(at(1_000), 1)).extracting(Checkpoint::name).containsExactly("early");
        assertThat(checkpoints().listExpired(at(99), 10)).isEmpty();
    }

    @Test
    default void checkpointDeleteReturnsWhatWasDeleted() {
        TrainingRun run = ownedRun(null, "s");
        Checkpoint cp = save(run, CheckpointKind.WEIGHTS, "x", at(0), null);

        assertThat(checkpoints().delete(cp.tinkerPath())).contains(cp);
        assertThat(checkpoints().delete(cp.tinkerPath())).isEmpty();
        assertThat(checkpoints().findByTinkerPath(cp.tinkerPath())).isEmpty();
        assertThat(checkpoints().listByRun(run.modelId(), PageRequest.first(10)).totalCount()).isZero();
    }
}
