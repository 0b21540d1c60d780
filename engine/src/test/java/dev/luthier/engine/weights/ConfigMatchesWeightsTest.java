package dev.luthier.engine.weights;

import dev.luthier.engine.model.HfConfigReader;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The parsed config predicts every tensor name and shape of the reference checkpoints, and nothing else. */
class ConfigMatchesWeightsTest {

    private static Map<String, long[]> expected(ModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long h = c.hiddenSize();
        m.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
        m.put("model.norm.weight", new long[] {h});
        if (!c.tieWordEmbeddings()) {
            m.put("lm_head.weight", new long[] {c.vocabSize(), h});
        }
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            m.put(p + "input_layernorm.weight", new long[] {h});
            m.put(p + "post_attention_layernorm.weight", new long[] {h});
            m.put(p + "self_attn.q_proj.weight", new long[] {c.qDim(), h});
            m.put(p + "self_attn.k_proj.weight", new long[] {c.kvDim(), h});
            m.put(p + "self_attn.v_proj.weight", new long[] {c.kvDim(), h});
            m.put(p + "self_attn.o_proj.weight", new long[] {h, c.qDim()});
            if (c.qkvBias()) {
                m.put(p + "self_attn.q_proj.bias", new long[] {c.qDim()});
                m.put(p + "self_attn.k_proj.bias", new long[] {c.kvDim()});
                m.put(p + "self_attn.v_proj.bias", new long[] {c.kvDim()});
            }
            if (c.oBias()) {
                m.put(p + "self_attn.o_proj.bias", new long[] {h});
            }
            if (c.qkNorm()) {
                m.put(p + "self_attn.q_norm.weight", new long[] {c.headDim()});
                m.put(p + "self_attn.k_norm.weight", new long[] {c.headDim()});
            }
            if (c.isMoeLayer(l)) {
                m.put(p + "mlp.gate.weight", new long[] {c.numExperts(), h});
                for (int e = 0; e < c.numExperts(); e++) {
                    String q = p + "mlp.experts." + e + ".";
                    m.put(q + "gate_proj.weight", new long[] {c.moeIntermediateSize(), h});
                    m.put(q + "up_proj.weight", new long[] {c.moeIntermediateSize(), h});
                    m.put(q + "down_proj.weight", new long[] {h, c.moeIntermediateSize()});
                }
            } else {
                m.put(p + "mlp.gate_proj.weight", new long[] {c.intermediateSize(), h});
                m.put(p + "mlp.up_proj.weight", new long[] {c.intermediateSize(), h});
                m.put(p + "mlp.down_proj.weight", new long[] {h, c.intermediateSize()});
            }
        }
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K", "models/hf-tiny/qwen3", "models/hf-tiny/qwen3_moe"})
    void everyTensorIsPredicted(String model) throws IOException {
        Path dir = SharedData.require(model);
        ModelConfig c = HfConfigReader.read(dir);
        Map<String, long[]> expected = expected(c);
        try (ModelWeights w = ModelWeights.open(dir)) {
            expected.forEach((name, shape) -> assertThat(w.require(name, shape).toFloatArray()).hasSize(
                    Math.toIntExact(w.get(name).numel())));
            assertThat(w.names()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        }
    }
}
