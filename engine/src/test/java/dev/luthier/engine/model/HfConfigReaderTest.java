package dev.luthier.engine.model;

import dev.luthier.engine.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HfConfigReaderTest {

    @Test
    void stories260K() throws IOException {
        ModelConfig c = HfConfigReader.read(SharedData.require("models/stories260K/config.json"));
        assertThat(c).isEqualTo(new ModelConfig(ModelFamily.LLAMA, 512, 64, 172, 5, 8, 4, 8, 1e-5, 10000.0, null,
                512, true, false, false, false, 1, List.of(2), "float32", 0, 0, 0, false, 1, List.of()));
    }

    @Test
    void qwen3BothLayoutsAgree() throws IOException {
        Path dir = SharedData.require("models/hf-tiny/qwen3");
        ModelConfig classic = HfConfigReader.read(dir.resolve("config.json"));
        ModelConfig t5 = HfConfigReader.read(SharedData.require("models/hf-tiny/qwen3/config.transformers5.json"));
        assertThat(t5).isEqualTo(classic);
        assertThat(HfConfigReader.read(dir)).isEqualTo(classic);
        assertThat(classic).isEqualTo(new ModelConfig(ModelFamily.QWEN3, 320, 128, 256, 3, 8, 2, 32, 1e-6, 1e6, null,
                256, true, false, false, true, null, List.of(), "float32", 0, 0, 0, false, 1, List.of()));
        assertThat(classic.qDim()).isEqualTo(256);
    }

    @Test
    void qwen3MoeBothLayoutsAgree() throws IOException {
        ModelConfig classic = HfConfigReader.read(SharedData.require("models/hf-tiny/qwen3_moe/config.json"));
        ModelConfig t5 = HfConfigReader.read(SharedData.require("models/hf-tiny/qwen3_moe/config.transformers5.json"));
        assertThat(t5).isEqualTo(classic);
        assertThat(classic).isEqualTo(new ModelConfig(ModelFamily.QWEN3_MOE, 256, 64, 128, 2, 4, 2, 16, 1e-6, 1e6,
                null, 256, false, false, false, true, null, List.of(), "float32", 8, 2, 48, true, 1, List.of()));
        assertThat(classic.isMoeLayer(0)).isTrue();
    }

    @Test
    void qwen2HasQkvBiasAndDerivesHeadDim() {
        ModelConfig c = HfConfigReader.parse("""
                {"model_type": "qwen2", "vocab_size": 151936, "hidden_size": 896, "intermediate_size": 4864,
                 "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2,
                 "max_position_embeddings": 32768, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
                 "rope_scaling": null, "tie_word_embeddings": true, "use_sliding_window": false,
                 "bos_token_id": 151643, "eos_token_id": 151645, "torch_dtype": "bfloat16", "hidden_act": "silu"}""",
                "qwen2.json");
        assertThat(c.family()).isEqualTo(ModelFamily.QWEN2);
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.qkvBias()).isTrue();
        assertThat(c.oBias()).isFalse();
        assertThat(c.qkNorm()).isFalse();
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.bosTokenId()).isEqualTo(151643);
        assertThat(c.eosTokenIds()).containsExactly(151645);
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
    }

    private static final String LLAMA31 = """
            {"model_type": "llama", "vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336,
             "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
             "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
             "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "attention_bias": false, "mlp_bias": false, "bos_token_id": 128000,
             "eos_token_id": [128001, 128008, 128009], "torch_dtype": "bfloat16"}""";

    @Test
    void llama31RopeScaling() {
        ModelConfig c = HfConfigReader.parse(LLAMA31, "llama31.json");
        assertThat(c.ropeScaling()).isEqualTo(new RopeScaling("llama3", 8.0, 1.0, 4.0, 8192));
        assertThat(c.ropeTheta()).isEqualTo(500000.0);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.qkvBias()).isFalse();

        // the old "type" key, and the transformers-5 layout, give the same scaling
        ModelConfig oldKey = HfConfigReader.parse(LLAMA31.replace("\"rope_type\": \"llama3\"", "\"type\": \"llama3\""), "x");
        assertThat(oldKey).isEqualTo(c);
        ModelConfig t5 = HfConfigReader.parse(LLAMA31
                .replace("\"rope_theta\": 500000.0,", "")
                .replace("\"rope_scaling\": {", "\"rope_parameters\": {\"rope_theta\": 500000.0, "), "t5");
        assertThat(t5).isEqualTo(c);
    }

    @Test
    void llamaAttentionBiasAndDefaults() {
        ModelConfig c = HfConfigReader.parse("""
                {"model_type": "llama", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 32,
                 "num_hidden_layers": 1, "num_attention_heads": 4, "head_dim": null, "attention_bias": true,
                 "eos_token_id": null}""", "x");
        assertThat(c.qkvBias()).isTrue();
        assertThat(c.oBias()).isTrue();
        assertThat(c.numKvHeads()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(4);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(2048);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.bosTokenId()).isNull();
        assertThat(c.eosTokenIds()).isEmpty();
        assertThat(c.torchDtype()).isEqualTo("float32");
    }

    @Test
    void qwen3AttentionBias() {
        ModelConfig c = HfConfigReader.parse("""
                {"model_type": "qwen3", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 32,
                 "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
                 "attention_bias": true, "dtype": "bfloat16"}""", "x");
        assertThat(c.qkvBias()).isTrue();
        assertThat(c.oBias()).isTrue();
        assertThat(c.qkNorm()).isTrue();
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
    }

    @Test
    void errorsNameTheSource() {
        String base = """
                {"model_type": "%s", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 32,
                 "num_hidden_layers": 1, "num_attention_heads": 4 %s}""";
        assertThatThrownBy(() -> HfConfigReader.parse(base.formatted("gpt2", ""), "/m/config.json"))
                .hasMessage("/m/config.json: unknown architecture: model_type \"gpt2\" (supported: llama, qwen2, qwen3, qwen3_moe)");
        assertThatThrownBy(() -> HfConfigReader.parse(base.formatted("llama",
                        ", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}"), "/m/config.json"))
                .hasMessageStartingWith("/m/config.json: ").hasMessageContaining("\"yarn\"");
        assertThatThrownBy(() -> HfConfigReader.parse(base.formatted("llama",
                        ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}"), "c.json"))
                .hasMessageContaining("c.json: missing rope_scaling.low_freq_factor");
        assertThatThrownBy(() -> HfConfigReader.parse(base.formatted("llama", ", \"num_key_value_heads\": 3"), "c.json"))
                .hasMessageStartingWith("c.json: num_attention_heads (4) must be a multiple");
        assertThatThrownBy(() -> HfConfigReader.parse("{\"model_type\": \"llama\"}", "c.json"))
                .hasMessage("c.json: missing hidden_size");
        assertThatThrownBy(() -> HfConfigReader.parse("{\"model_type\": ", "c.json"))
                .hasMessageStartingWith("c.json: malformed JSON");
        assertThatThrownBy(() -> HfConfigReader.parse(base.formatted("qwen3_moe", ", \"num_experts_per_tok\": 2"), "c.json"))
                .hasMessage("c.json: missing num_local_experts");
        assertThatThrownBy(() -> HfConfigReader.parse(base.formatted("llama", ", \"hidden_act\": \"gelu\""), "c.json"))
                .hasMessageContaining("hidden_act \"gelu\"");
        assertThatThrownBy(() -> HfConfigReader.read(Path.of("/nonexistent/dir")))
                .hasMessageContaining("/nonexistent/dir");
    }

    @Test
    void moeKeysAndDenseLayers() {
        ModelConfig c = HfConfigReader.parse("""
                {"model_type": "qwen3_moe", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 32,
                 "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 4,
                 "num_local_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 8,
                 "decoder_sparse_step": 2, "mlp_only_layers": [3]}""", "x");
        assertThat(c.numExperts()).isEqualTo(4);
        assertThat(c.normTopkProb()).isFalse();
        assertThat(c.mlpOnlyLayers()).containsExactly(3);
        assertThat(List.of(c.isMoeLayer(0), c.isMoeLayer(1), c.isMoeLayer(2), c.isMoeLayer(3)))
                .containsExactly(false, true, false, false);
    }
}
