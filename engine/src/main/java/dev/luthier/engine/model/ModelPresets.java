package dev.luthier.engine.model;

import java.util.List;
import java.util.Map;

/** Shapes of well-known models, for random-weight benchmarks and tests. */
public final class ModelPresets {
    private ModelPresets() {
    }

    private static final Map<String, ModelConfig> PRESETS = Map.of(
            // dim 256, 4 layers, 4 heads (2 kv heads, head 64), ffn 1024, vocab 4096, tied
            "tiny", config(ModelFamily.LLAMA, 4096, 256, 1024, 4, 4, 2, 64, 10000, true, false),
            // SmolLM2-135M: dim 576, 30 layers, 9/3 heads of 64, ffn 1536, vocab 49152, tied
            "small", config(ModelFamily.LLAMA, 49152, 576, 1536, 30, 9, 3, 64, 100000, true, false),
            // Qwen3-0.6B: dim 1024, 28 layers, 16/8 heads of 128, ffn 3072, vocab 151936, q/k norm, tied
            "qwen3-0.6b", config(ModelFamily.QWEN3, 151936, 1024, 3072, 28, 16, 8, 128, 1000000, true, true),
            // Qwen3-MoE in miniature: dim 256, 4 layers, 4/2 heads of 64, 8 experts top-2 of ffn 256 (every layer
            // sparse, normalised top-k), vocab 4096, untied
            "qwen3-moe-tiny", moe(4096, 256, 4, 4, 2, 64, 8, 2, 256),
            // the same as a dense Qwen3 whose MLP has the MoE's active width (top_k × moe_intermediate = 512): equal
            // active expert parameters per token (the MoE adds only its router, 8×256 per layer), to price routing
            "qwen3-moe-tiny-dense", config(ModelFamily.QWEN3, 4096, 256, 2 * 256, 4, 4, 2, 64, 1000000, false, true));

    public static List<String> names() {
        return List.of("tiny", "small", "qwen3-0.6b", "qwen3-moe-tiny", "qwen3-moe-tiny-dense");
    }

    public static ModelConfig get(String name) {
        ModelConfig c = PRESETS.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown preset \"" + name + "\" (known: " + String.join(", ", names()) + ")");
        }
        return c;
    }

    private static ModelConfig config(ModelFamily family, int vocab, int hidden, int intermediate, int layers, int heads,
                                      int kvHeads, int headDim, double theta, boolean tied, boolean qkNorm) {
        return new ModelConfig(family, vocab, hidden, intermediate, layers, heads, kvHeads, headDim,
                family == ModelFamily.LLAMA ? 1e-5 : 1e-6, theta, null, 8192, tied, false, false, qkNorm, null,
                List.of(), "float32", 0, 0, 0, false, 1, List.of());
    }

    private static ModelConfig moe(int vocab, int hidden, int layers, int heads, int kvHeads, int headDim,
                                   int experts, int topK, int moeIntermediate) {
        return new ModelConfig(ModelFamily.QWEN3_MOE, vocab, hidden, topK * moeIntermediate, layers, heads, kvHeads,
                headDim, 1e-6, 1000000, null, 8192, false, false, false, true, null, List.of(), "float32", experts, topK,
                moeIntermediate, true, 1, List.of());
    }

    /**
     * Parameters of every matrix product per token, including the (tied or not) head: the N of 2N FLOPs/token. For a
     * mixture-of-experts layer only the active ones count: the router and {@code top_k} experts.
     */
    public static long matmulParameters(ModelConfig c) {
        long d = c.hiddenSize();
        long attention = d * c.qDim() + 2 * d * c.kvDim() + (long) c.qDim() * d;
        long total = 0;
        for (int l = 0; l < c.numLayers(); l++) {
            long mlp = c.isMoeLayer(l)
                    ? d * c.numExperts() + (long) c.numExpertsPerToken() * 3 * d * c.moeIntermediateSize()
                    : 3 * d * c.intermediateSize();
            total += attention + mlp;
        }
        return total + d * c.vocabSize();
    }

    /**
     * Bytes of weights read to decode one token (all matrices, the head once; norms ignored; for mixture-of-experts
     * layers the router and the {@code top_k} experts one token reads).
     */
    public static long weightBytesPerToken(ModelConfig c, int bytesPerWeight) {
        return matmulParameters(c) * bytesPerWeight;
    }
}
