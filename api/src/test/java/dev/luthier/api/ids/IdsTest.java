package dev.luthier.api.ids;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.luthier.api.WireFormatException;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void parsesTinkerPaths() {
    TinkerPath p = TinkerPath.parse("tinker://0034d8c9-aaaa:train:0/sampler_weights/000080");
    assertThat(p.runId()).isEqualTo("0034d8c9-aaaa:train:0");
    assertThat(p.kind()).isEqualTo(CheckpointKind.SAMPLER_WEIGHTS);
    assertThat(p.name()).isEqualTo("000080");
    assertThat(p.checkpointId()).isEqualTo("sampler_weights/000080");
    assertThat(p.checkpointType()).isEqualTo("sampler");
    assertThat(p.toString()).isEqualTo("tinker://0034d8c9-aaaa:train:0/sampler_weights/000080");
    TinkerPath w = TinkerPath.parse("tinker://run-id/weights/0001");
    assertThat(w.kind()).isEqualTo(CheckpointKind.WEIGHTS);
    assertThat(w.checkpointType()).isEqualTo("training");
    assertThat(TinkerPath.parse(w.toString())).isEqualTo(w);
    assertThat(TinkerPath.ofCheckpointId("run-id", "weights/0001")).isEqualTo(w);
  }

  @Test
  void refusesBadPathsClearly() {
    assertBad("http://run/weights/a", "not a tinker path");
    assertBad("tinker://run/weights", "exactly three parts");
    assertBad("tinker://run/weights/a/b", "exactly three parts");
    assertBad("tinker://run/checkpoints/a", "expected weights or sampler_weights");
    assertBad("tinker:///weights/a", "run id is empty");
    assertBad("tinker://run/weights/", "name is empty");
    assertBad("tinker://run/weights/..", "must not be");
    assertBad("tinker://run/weights/a\\b", "must not contain");
    assertBad("tinker://run/weights/a\u0000", "control");
    assertBad(null, "missing");
    assertThatThrownBy(() -> TinkerPath.parse("x", "model_path")).isInstanceOfSatisfying(WireFormatException.class,
        e -> assertThat(e.field()).isEqualTo("model_path"));
    assertThatThrownBy(() -> TinkerPath.ofCheckpointId("run", "weights")).hasMessageContaining("weights/<name>");
    assertThatThrownBy(() -> TinkerPath.ofCheckpointId("run", "other/x")).hasMessageContaining("weights/<name>");
  }

  @Test
  void modelAndSamplerIds() {
    ModelId m = ModelId.parse("3f1c-uuid:train:12");
    assertThat(m.sessionId()).isEqualTo("3f1c-uuid");
    assertThat(m.seq()).isEqualTo(12);
    assertThat(m.toString()).isEqualTo("3f1c-uuid:train:12");
    assertThat(new ModelId("S", 0).toString()).isEqualTo("S:train:0");
    SamplerId s = SamplerId.parse("S:sample:3");
    assertThat(s).isEqualTo(new SamplerId("S", 3));
    assertThat(s.toString()).isEqualTo("S:sample:3");
    assertThat(ModelId.matches("S:sample:3")).isFalse();
    for (String bad : new String[] {"S", "S:train:", ":train:1", "S:train:x", "S:train:-1", "S:train:99999999999"}) {
      assertThatThrownBy(() -> ModelId.parse(bad)).as(bad).isInstanceOf(WireFormatException.class).hasMessageContaining("<session>:train:<n>");
    }
    assertThatThrownBy(() -> SamplerId.parse("S:train:1")).hasMessageContaining("<session>:sample:<n>");
  }

  static void assertBad(String path, String reason) {
    assertThatThrownBy(() -> TinkerPath.parse(path)).isInstanceOfSatisfying(WireFormatException.class, e -> {
      assertThat(e.field()).isEqualTo("tinker_path");
      assertThat(e.reason()).contains(reason);
    });
  }
}
