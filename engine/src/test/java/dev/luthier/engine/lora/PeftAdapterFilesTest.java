package dev.luthier.engine.lora;

import dev.luthier.engine.testing.SharedData;
import dev.luthier.engine.weights.SafetensorsFile;
import dev.luthier.engine.weights.SafetensorsWriter;
import dev.luthier.engine.weights.TensorData;
import dev.luthier.engine.weights.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeftAdapterFilesTest {

    @TempDir
    Path tmp;

    private static void assertMatchesSafetensors(PeftAdapter adapter, Path reference) throws IOException {
        try (SafetensorsFile ref = SafetensorsFile.open(reference)) {
            assertThat(ref.tensors()).hasSize(2 * adapter.pairs().size());
            adapter.pairs().forEach((k, p) -> {
                TensorInfo a = ref.get(k.peftModulePath() + ".lora_A.weight");
                TensorInfo b = ref.get(k.peftModulePath() + ".lora_B.weight");
                assertThat(a.shape()).containsExactly(p.aRows(), p.aCols());
                assertThat(b.shape()).containsExactly(p.bRows(), p.bCols());
                assertThat(p.a()).containsExactly(a.toFloatArray());
                assertThat(p.b()).containsExactly(b.toFloatArray());
            });
        }
    }

    @Test
    void readsQwen3InitAdapter() throws IOException {
        Path dir = SharedData.require("models/hf-tiny/qwen3/peft_adapter_init");
        PeftAdapter adapter = PeftAdapterFiles.read(dir);
        assertThat(adapter.rank()).isEqualTo(4);
        assertThat(adapter.alpha()).isEqualTo(32.0);
        assertThat(adapter.scale()).isEqualTo(8.0);
        assertThat(adapter.targetModules()).containsExactlyInAnyOrder(
                "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
        assertThat(adapter.pairs()).hasSize(3 * 7);
        LoraPair q0 = adapter.pairs().get(LoraKey.of(0, "q_proj"));
        assertThat(q0.aRows()).isEqualTo(4);
        assertThat(q0.aCols()).isEqualTo(128);
        assertThat(q0.bRows()).isEqualTo(256);
        assertThat(adapter.pairs().get(LoraKey.of(2, "down_proj")).aCols()).isEqualTo(256);
        assertMatchesSafetensors(adapter, SharedData.require("models/hf-tiny/qwen3/lora_init.safetensors"));
    }

    @Test
    void readsQwen3MoeAdapterWithPerExpertKeys() throws IOException {
        PeftAdapter adapter = PeftAdapterFiles.read(SharedData.require("models/hf-tiny/qwen3_moe/peft_adapter_init"));
        assertThat(adapter.pairs()).hasSize(2 * (4 + 8 * 3));
        LoraPair e7 = adapter.pairs().get(LoraKey.expert(1, 7, "down_proj"));
        assertThat(e7).isNotNull();
        assertThat(e7.aCols()).isEqualTo(48);
        assertThat(e7.bRows()).isEqualTo(64);
        assertThat(adapter.pairs()).doesNotContainKey(LoraKey.of(0, "gate_proj"));
        assertMatchesSafetensors(adapter, SharedData.require("models/hf-tiny/qwen3_moe/lora_init.safetensors"));
    }

    private static PeftAdapter sample(boolean rslora) {
        float[] a = {1, 2, 3, 4, 5, 6};      // [2, 3]
        float[] b = {0.5f, -1, 2, 0};         // [2, 2]
        float[] bHead = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; // [5, 2]
        return new PeftAdapter(2, 16, rslora, List.of("q_proj", "gate_proj", "lm_head"), "/models/x",
                Map.of(LoraKey.of(1, "q_proj"), new LoraPair(a, 2, 3, b, 2, 2),
                        LoraKey.expert(0, 3, "gate_proj"), new LoraPair(a, 2, 3, b, 2, 2),
                        LoraKey.lmHead(), new LoraPair(a, 2, 3, bHead, 5, 2)));
    }

    @Test
    void roundTrips() throws IOException {
        PeftAdapter adapter = sample(false);
        Path dir = tmp.resolve("out");
        PeftAdapterFiles.write(dir, adapter);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(PeftAdapterFiles.WEIGHTS))) {
            assertThat(f.names()).containsExactly(
                    "base_model.model.lm_head.lora_A.weight",
                    "base_model.model.lm_head.lora_B.weight",
                    "base_model.model.model.layers.0.mlp.experts.3.gate_proj.lora_A.weight",
                    "base_model.model.model.layers.0.mlp.experts.3.gate_proj.lora_B.weight",
                    "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight");
        }
        String cfg = Files.readString(dir.resolve(PeftAdapterFiles.CONFIG));
        assertThat(cfg).contains("\"peft_type\" : \"LORA\"", "\"task_type\" : \"CAUSAL_LM\"", "\"r\" : 2",
                "\"lora_alpha\" : 16", "\"bias\" : \"none\"", "\"base_model_name_or_path\" : \"/models/x\"");
        PeftAdapter back = PeftAdapterFiles.read(dir);
        assertThat(back.rank()).isEqualTo(2);
        assertThat(back.alpha()).isEqualTo(16.0);
        assertThat(back.targetModules()).isEqualTo(adapter.targetModules());
        assertThat(back.baseModelNameOrPath()).isEqualTo("/models/x");
        assertThat(back.pairs().keySet()).containsExactlyElementsOf(adapter.pairs().keySet());
        adapter.pairs().forEach((k, p) -> {
            LoraPair q = back.pairs().get(k);
            assertThat(q.a()).containsExactly(p.a());
            assertThat(q.b()).containsExactly(p.b());
            assertThat(q.bRows()).isEqualTo(p.bRows());
        });
        assertThat(Files.list(dir).map(x -> x.getFileName().toString()))
                .containsExactlyInAnyOrder(PeftAdapterFiles.CONFIG, PeftAdapterFiles.WEIGHTS);
    }

    @Test
    void rsloraScale() throws IOException {
        assertThat(sample(true).scale()).isEqualTo(16 / Math.sqrt(2));
        assertThat(sample(false).scale()).isEqualTo(8.0);
        Path dir = tmp.resolve("rs");
        PeftAdapterFiles.write(dir, sample(true));
        assertThat(PeftAdapterFiles.read(dir).useRslora()).isTrue();
    }

    @Test
    void toleratesDefaultSegmentAndStringTargets() throws IOException {
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(PeftAdapterFiles.CONFIG),
                "{\"peft_type\":\"LORA\",\"r\":1,\"lora_alpha\":2.5,\"target_modules\":\".*proj\",\"bias\":\"none\"}");
        SafetensorsWriter.write(dir.resolve(PeftAdapterFiles.WEIGHTS), Map.of(
                "base_model.model.model.layers.0.self_attn.v_proj.lora_A.default.weight", TensorData.f32(new float[] {1, 2}, 1, 2),
                "base_model.model.model.layers.0.self_attn.v_proj.lora_B.default.weight", TensorData.f32(new float[] {3, 4, 5}, 3, 1)));
        PeftAdapter a = PeftAdapterFiles.read(dir);
        assertThat(a.targetModules()).containsExactly(".*proj");
        assertThat(a.scale()).isEqualTo(2.5);
        assertThat(a.pairs().get(LoraKey.of(0, "v_proj")).b()).containsExactly(3, 4, 5);
    }

    @Test
    void errors() throws IOException {
        Path dir = tmp.resolve("e");
        assertThatThrownBy(() -> PeftAdapterFiles.read(dir)).hasMessageContaining(PeftAdapterFiles.CONFIG)
                .hasMessageContaining("does not exist");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(PeftAdapterFiles.CONFIG), "{\"r\":1,\"lora_alpha\":1,\"bias\":\"none\"}");
        assertThatThrownBy(() -> PeftAdapterFiles.read(dir)).hasMessageContaining(dir.resolve(PeftAdapterFiles.WEIGHTS).toString())
                .hasMessageContaining("does not exist");

        SafetensorsWriter.write(dir.resolve(PeftAdapterFiles.WEIGHTS), Map.of(
                "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", TensorData.f32(new float[] {1, 2}, 1, 2)));
        assertThatThrownBy(() -> PeftAdapterFiles.read(dir)).hasMessageContaining("has lora_A but no lora_B");

        SafetensorsWriter.write(dir.resolve(PeftAdapterFiles.WEIGHTS), Map.of(
                "base_model.model.model.embed_tokens.lora_embedding_A", TensorData.f32(new float[] {1, 2}, 1, 2)));
        assertThatThrownBy(() -> PeftAdapterFiles.read(dir)).hasMessageContaining("unsupported LoRA tensor")
                .hasMessageContaining("embed_tokens");

        Files.writeString(dir.resolve(PeftAdapterFiles.CONFIG), "{\"r\":1,\"lora_alpha\":1,\"bias\":\"all\"}");
        assertThatThrownBy(() -> PeftAdapterFiles.read(dir)).hasMessageContaining("bias \"all\"");
        Files.writeString(dir.resolve(PeftAdapterFiles.CONFIG), "{\"r\":1,\"lora_alpha\":1,\"use_dora\":true}");
        assertThatThrownBy(() -> PeftAdapterFiles.read(dir)).hasMessageContaining("use_dora");
    }
}
