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
            "qwen3-0.6b", config(ModelFamily.QWEN3, 151936, 1024, 3072, 28, 16, 8, 128, 1000000, true, true));

    public static List<String> names() {
        return List.of("tiny", "small", "qwen3-0.6b");
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

    /** Parameters of every matrix product per token, including the (tied or not) head: the N of 2N FLOPs/token. */
    public static long matmulParameters(ModelConfig c) {
        long d = c.hiddenSize();
        long perLayer = d * c.qDim() + 2 * d * c.kvDim() + (long) c.qDim() * d + 3 * d * c.intermediateSize();
        return perLayer * c.numLayers() + d * c.vocabSize();
    }

    /** Bytes of weights read to decode one token (all matrices, the head once; norms ignored). */
    public static long weightBytesPerToken(ModelConfig c, int bytesPerWeight) {
        return matmulParameters(c) * bytesPerWeight;
    }
}
