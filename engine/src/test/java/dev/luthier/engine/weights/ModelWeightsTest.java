package dev.luthier.engine.weights;

import dev.luthier.engine.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelWeightsTest {

    @TempDir
    Path tmp;

    @Test
    void opensSingleFileModel() throws IOException {
        Path dir = SharedData.require("models/hf-tiny/qwen3");
        try (ModelWeights w = ModelWeights.open(dir)) {
            assertThat(w.require("model.layers.0.self_attn.q_proj.weight", 256, 128).numel()).isEqualTo(256 * 128);
            assertThat(w.floats("model.layers.2.self_attn.k_norm.weight", 32)).hasSize(32);
            assertThat(w.contains("lm_head.weight")).isFalse(); // tied
            assertThat(w.names()).noneMatch(n -> n.contains("lora"));
            assertThatThrownBy(() -> w.require("model.layers.0.self_attn.q_proj.weight", 128, 128))
                    .hasMessageContaining("model.layers.0.self_attn.q_proj.weight")
                    .hasMessageContaining("[256, 128]").hasMessageContaining("expected [128, 128]");
            assertThatThrownBy(() -> w.get("lm_head.weight"))
                    .hasMessage("missing tensor lm_head.weight in " + dir);
        }
    }

    @Test
    void opensShardsThroughIndex() throws IOException {
        SafetensorsWriter.write(tmp.resolve("model-00001-of-00002.safetensors"),
                Map.of("a", TensorData.f32(new float[] {1, 2}, 2)));
        SafetensorsWriter.write(tmp.resolve("model-00002-of-00002.safetensors"),
                Map.of("b", TensorData.f32(new float[] {3, 4, 5, 6}, 2, 2), "unlisted", TensorData.f32(new float[] {0}, 1)));
        Files.writeString(tmp.resolve(ModelWeights.INDEX_FILE), """
                {"metadata": {"total_size": 24},
                 "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        try (ModelWeights w = ModelWeights.open(tmp)) {
            assertThat(w.names()).containsExactlyInAnyOrder("a", "b");
            assertThat(w.floats("b", 2, 2)).containsExactly(3, 4, 5, 6);
            assertThat(w.get("a").file().getFileName().toString()).isEqualTo("model-00001-of-00002.safetensors");
        }
    }

    @Test
    void indexErrors() throws IOException {
        SafetensorsWriter.write(tmp.resolve("s1.safetensors"), Map.of("a", TensorData.f32(new float[] {1}, 1)));
        Files.writeString(tmp.resolve(ModelWeights.INDEX_FILE), """
                {"weight_map": {"a": "s1.safetensors", "b": "s2.safetensors"}}""");
        assertThatThrownBy(() -> ModelWeights.open(tmp)).hasMessageContaining("s2.safetensors")
                .hasMessageContaining("missing");
        Files.writeString(tmp.resolve(ModelWeights.INDEX_FILE), """
                {"weight_map": {"a": "s1.safetensors", "b": "s1.safetensors"}}""");
        assertThatThrownBy(() -> ModelWeights.open(tmp)).hasMessageContaining("tensor b")
                .hasMessageContaining("does not contain it");
    }

    @Test
    void opensAnySetOfSafetensorsFiles() throws IOException {
        SafetensorsWriter.write(tmp.resolve("x.safetensors"), Map.of("a", TensorData.f32(new float[] {1}, 1)));
        SafetensorsWriter.write(tmp.resolve("y.safetensors"), Map.of("b", TensorData.f32(new float[] {2}, 1)));
        try (ModelWeights w = ModelWeights.open(tmp)) {
            assertThat(w.names()).containsExactly("a", "b");
        }
        SafetensorsWriter.write(tmp.resolve("z.safetensors"), Map.of("b", TensorData.f32(new float[] {3}, 1)));
        assertThatThrownBy(() -> ModelWeights.open(tmp)).hasMessageContaining("tensor b appears in both");
    }

    @Test
    void emptyOrMissingDirectory() {
        assertThatThrownBy(() -> ModelWeights.open(tmp)).hasMessageContaining("no weights in " + tmp);
        assertThatThrownBy(() -> ModelWeights.open(tmp.resolve("nope"))).hasMessageContaining("does not exist");
    }
}
