package dev.luthier.engine.model;

import java.util.List;

/**
 * The shape of a transformer, as read from a Hugging Face {@code config.json}.
 *
 * @param qkvBias            q, k and v projections carry a bias (Qwen2; Llama with {@code attention_bias})
 * @param oBias              the output projection carries a bias (Llama with {@code attention_bias})
 * @param qkNorm             per-head RMSNorm of q and k before rotary embedding (Qwen3)
 * @param ropeScaling        null when absent
 * @param eosTokenIds        empty when the config names none
 * @param numExperts         0 for dense models
 * @param mlpOnlyLayers      layers that use a dense MLP in a mixture-of-experts model
 */
public record ModelConfig(
        ModelFamily family,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean oBias,
        boolean qkNorm,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        String torchDtype,
        int numExperts,
        int numExpertsPerToken,
        int moeIntermediateSize,
        boolean normTopkProb,
        int decoderSparseStep,
        List<Integer> mlpOnlyLayers) {

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        mlpOnlyLayers = List.copyOf(mlpOnlyLayers);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numHeads
                    + ") must be a multiple of num_key_value_heads (" + numKvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** True when layer {@code layer} uses experts rather than a dense MLP. */
    public boolean isMoeLayer(int layer) {
        return numExperts > 0 && !mlpOnlyLayers.contains(layer)
                && decoderSparseStep > 0 && (layer + 1) % decoderSparseStep == 0;
    }

    /** A dense Llama-style config, for presets and tests. */
    public static ModelConfig dense(ModelFamily family, int vocab, int hidden, int intermediate, int layers,
                                    int heads, int kvHeads, int headDim, double ropeTheta, boolean tied) {
        return new ModelConfig(family, vocab, hidden, intermediate, layers, heads, kvHeads, headDim,
                family == ModelFamily.LLAMA ? 1e-5 : 1e-6, ropeTheta, null, 4096, tied,
                family == ModelFamily.QWEN2, false, family == ModelFamily.QWEN3 || family == ModelFamily.QWEN3_MOE,
                null, List.of(), "float32", 0, 0, 0, false, 1, List.of());
    }
}
