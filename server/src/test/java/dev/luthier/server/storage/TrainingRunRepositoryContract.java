package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Owner;
import dev.luthier.server.storage.db.Page;
import dev.luthier.server.storage.db.PageRequest;
import dev.luthier.server.storage.db.StorageException;
import dev.luthier.server.storage.runs.LoraSettings;
import dev.luthier.server.storage.runs.RunState;
import dev.luthier.server.storage.runs.TrainingRun;
import dev.luthier.server.storage.runs.TrainingRunRepository;
import dev.luthier.server.storage.sessions.Session;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public interface TrainingRunRepositoryContract extends StorageFixture {
    private TrainingRunRepository runs() {
        return new TrainingRunRepository(db());
    }

    @Test
    default void trainingRunIsCreatedAndReadBackWithEveryField() {
        ApiKeysFixture.key(db(), "k-1", at(0));
        Fixtures.session(db(), "s", "k-1", at(0));
        TrainingRun r = TrainingRun.created("s:train:0", "s", 0, "k-1", "Qwen/Qwen3-8B",
                new LoraSettings(16, 32.0, 1L << 62, false, true, false), Map.of("experiment", "rl-7"), at(10));
        runs().create(r);

        assertThat(runs().get("s:train:0")).contains(r);
        assertThat(runs().get("s:train:1")).isEmpty();
        assertThat(r.lora().isLora()).isTrue();
    }

    @Test
    default void trainingRunForAFullFineTuneHasNoRank() {
        Fixtures.session(db(), "s", null, at(0));
        runs().create(TrainingRun.created("s:train:0", "s", 0, null, "m",
                new LoraSettings(null, null, null, true, true, true), null, at(0)));

        TrainingRun back = runs().get("s:train:0").orElseThrow();
        assertThat(back.lora().isLora()).isFalse();
        assertThat(back.lora().seed()).isNull();
        assertThat(back.userMetadata()).isNull();
        assertThat(back.state()).isEqualTo(RunState.ACTIVE);
    }

    @Test
    default void trainingRunNeedsAnExistingSessionAndAFreeSeqId() {
        assertThatThrownBy(() -> runs().create(TrainingRun.created("ghost:train:0", "ghost", 0, null, "m",
                Fixtures.LORA_32, null, at(0)))).isInstanceOf(StorageException.class);

        Session s = Fixtures.session(db(), "s", null, at(0));
        Fixtures.run(db(), s, 0, at(0));
        assertThatThrownBy(() -> runs().create(TrainingRun.created("other-id", "s", 0, null, "m",
                Fixtures.LORA_32, null, at(0)))).isInstanceOf(StorageException.class);
    }

    @Test
    default void trainingRunTouchMovesLastRequestForwardOnly() {
        Session s = Fixtures.session(db(), "s", null, at(0));
        Fixtures.run(db(), s, 0, at(0));

        assertThat(runs().touch("s:train:0", at(9_000))).isTrue();
        assertThat(runs().touch("s:train:0", at(3_000))).isTrue();
        assertThat(runs().touch("s:train:9", at(3_000))).isFalse();

        assertThat(runs().get("s:train:0").orElseThrow().lastRequestAt()).isEqualTo(at(9_000));
    }

    @Test
    default void trainingRunStateChangesOneAtATimeOrAllAtOnce() {
        Session s = Fixtures.session(db(), "s", null, at(0));
        for (int i = 0; i < 3; i++) {
            Fixtures.run(db(), s, i, at(i));
        }

        assertThat(runs().setState("s:train:0", RunState.FAILED, "engine ran out of memory")).isTrue();
        assertThat(runs().setState("nope", RunState.FAILED, null)).isFalse();
        assertThat(runs().listByState(RunState.ACTIVE)).extracting(TrainingRun::modelId)
                .containsExactly("s:train:1", "s:train:2");

        assertThat(runs().changeAllStates(RunState.ACTIVE, RunState.UNLOADED, "server restarted")).isEqualTo(2);

        assertThat(runs().get("s:train:0").orElseThrow())
                .extracting(TrainingRun::state, TrainingRun::stateMessage)
                .containsExactly(RunState.FAILED, "engine ran out of memory");
        assertThat(runs().get("s:train:2").orElseThrow())
                .extracting(TrainingRun::state, TrainingRun::stateMessage)
                .containsExactly(RunState.UNLOADED, "server restarted");
        assertThat(runs().listByState(RunState.ACTIVE)).isEmpty();
    }

    @Test
    default void trainingRunsOfASessionAreListedInSeqOrder() {
        Session s = Fixtures.session(db(), "s", null, at(0));
        Session other = Fixtures.session(db(), "t", null, at(0));
        for (int i = 0; i < 12; i++) {
            Fixtures.run(db(), s, i, at(0));
        }
        Fixtures.run(db(), other, 0, at(0));

        assertThat(runs().listIdsBySession("s")).hasSize(12).startsWith("s:train:0", "s:train:1", "s:train:2")
                .endsWith("s:train:10", "s:train:11");
        assertThat(runs().listIdsBySession("none")).isEmpty();
    }

    @Test
    default void trainingRunPagesAreNewestFirstStableAndOwned() {
        ApiKeysFixture.key(db(), "k-1", at(0));
        ApiKeysFixture.key(db(), "k-2", at(0));
        Session mine = Fixtures.session(db(), "a", "k-1", at(0));
        Session theirs = Fixtures.session(db(), "b", "k-2", at(0));
        for (int i = 0; i < 12; i++) {
            Fixtures.run(db(), mine, i, at(i / 4)); // four runs per millisecond
        }
        Fixtures.run(db(), theirs, 0, at(50));

        List<String> walked = new ArrayList<>();
        Page<TrainingRun> page;
        int offset = 0;
        do {
            page = runs().list(Owner.apiKey("k-1"), PageRequest.of(offset, 5));
            assertThat(page.totalCount()).isEqualTo(12);
            assertThat(page.limit()).isEqualTo(5);
            page.items().forEach(r -> walked.add(r.modelId()));
            offset += 5;
        } while (page.hasMore());

        List<String> expected = new ArrayList<>();
        for (int i = 11; i >= 0; i--) {
            expected.add("a:train:" + i);
        }
        assertThat(walked).containsExactlyElementsOf(expected);
        assertThat(runs().list(Owner.anyone(), PageRequest.first(1)).items()).extracting(TrainingRun::modelId)
                .containsExactly("b:train:0");
        assertThat(runs().list(Owner.anyone(), PageRequest.first(1)).totalCount()).isEqualTo(13);
        assertThat(runs().list(Owner.apiKey("k-1"), PageRequest.of(100, 5)).items()).isEmpty();
    }
}
