package dev.luthier.server.storage;

import dev.luthier.server.storage.checkpoints.Checkpoint;
import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.api.ids.TinkerPath;
import dev.luthier.server.storage.futures.FutureResultRepository;
import dev.luthier.server.storage.futures.FutureState;
import dev.luthier.server.storage.runs.RunState;
import dev.luthier.server.storage.runs.TrainingRun;
import dev.luthier.server.storage.sessions.Session;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A restarted server loses no saved checkpoint and no finished result; in-flight work fails with a message. */
public interface RestartContract extends StorageFixture {
    @Test
    default void restartKeepsCheckpointsAndResultsAndSettlesUnfinishedWork() {
        Storage before = new Storage(db());
        Session s = Fixtures.session(db(), "s", null, at(0));
        TrainingRun run = Fixtures.run(db(), s, 0, at(0));
        Fixtures.run(db(), s, 1, at(0));
        before.runs().setState("s:train:1", RunState.FAILED, "oom");
        Checkpoint cp = Checkpoint.saved("c", new TinkerPath(run.modelId(), CheckpointKind.WEIGHTS, "final"), "/d", 1L,
                at(5), null);
        before.checkpoints().insert(cp);
        before.futures().insertPending("finished", "SaveWeights", run.modelId(), at(5));
        before.futures().complete("finished", "application/json", new byte[]{'{', '}'}, at(6));
        before.futures().insertPending("in-flight", "ForwardBackward", run.modelId(), at(7));

        Storage after = new Storage(reopen());
        Storage.Recovery recovery = after.recoverAfterRestart(at(1_000));

        assertThat(recovery).isEqualTo(new Storage.Recovery(1, 1));
        assertThat(after.checkpoints().findByTinkerPath(cp.tinkerPath())).contains(cp);
        assertThat(after.futures().get("finished").orElseThrow().state()).isEqualTo(FutureState.DONE);
        assertThat(after.futures().get("in-flight").orElseThrow().errorMessage())
                .isEqualTo(FutureResultRepository.LOST_AT_RESTART);
        assertThat(after.runs().get(run.modelId()).orElseThrow().state()).isEqualTo(RunState.UNLOADED);
        assertThat(after.runs().get("s:train:1").orElseThrow().state()).isEqualTo(RunState.FAILED);
        assertThat(after.recoverAfterRestart(at(2_000))).isEqualTo(new Storage.Recovery(0, 0));
    }
}
