package dev.luthier.server.storage.checkpoints;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TinkerPathTest {
    @Test
    void parsesTheObservedRealFormat() {
        // The example from the wire spec §9.8.
        TinkerPath p = TinkerPath.parse("tinker://0034d8c9-aaaa:train:0/sampler_weights/000080");

        assertThat(p.runId()).isEqualTo("0034d8c9-aaaa:train:0");
        assertThat(p.kind()).isEqualTo(CheckpointKind.SAMPLER);
        assertThat(p.name()).isEqualTo("000080");
        assertThat(p.checkpointId()).isEqualTo("sampler_weights/000080");
        assertThat(p.toString()).isEqualTo("tinker://0034d8c9-aaaa:train:0/sampler_weights/000080");
    }

    @Test
    void roundTripsThroughARestCheckpointId() {
        TinkerPath p = TinkerPath.ofCheckpointId("s:train:3", "weights/final");

        assertThat(p).isEqualTo(new TinkerPath("s:train:3", CheckpointKind.TRAINING, "final"));
        assertThat(TinkerPath.parse(p.toString())).isEqualTo(p);
        assertThat(CheckpointKind.TRAINING.wireName()).isEqualTo("training");
    }

    @Test
    void refusesWhatTheClientWouldRefuse() {
        assertThatThrownBy(() -> TinkerPath.parse("s3://run/weights/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TinkerPath.parse("tinker://run/weights")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TinkerPath.parse("tinker://run/weights/a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TinkerPath.parse("tinker://run/other/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TinkerPath.parse("tinker:///weights/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TinkerPath.parse("tinker://run/weights/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TinkerPath.ofCheckpointId("run", "final")).isInstanceOf(IllegalArgumentException.class);
    }
}
