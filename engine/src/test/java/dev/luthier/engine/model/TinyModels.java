package dev.luthier.engine.model;

import java.util.List;

/** Tiny model shapes of each family, for gradient checks and multi-tenant tests. */
public final class TinyModels {
    private TinyModels() {
    }

    /** Llama with untied head, attention biases and Llama 3 rope scaling. */
    public static ModelConfig llama() {
        return new ModelConfig(ModelFamily.LLAMA, 37, 16, 24, 2, 4, 2, 4, 1e-5, 500000,
                new RopeScaling("llama3", 8, 1, 4, 16), 64, false, true, true, false, 1, List.of(2), "float32",
                0, 0, 0, false, 1, List.of());
    }

    /** Qwen2: q/k/v biases, tied embeddings. */
    public static ModelConfig qwen2() {
        return new ModelConfig(ModelFamily.QWEN2, 41, 16, 20, 2, 4, 2, 4, 1e-6, 1e6, null, 64, true, true, false,
                false, null, List.of(), "float32", 0, 0, 0, false, 1, List.of());
    }

    /** Qwen3: q/k norms, head_dim × heads ≠ hidden, untied. */
    public static ModelConfig qwen3() {
        return new ModelConfig(ModelFamily.QWEN3, 33, 12, 20, 2, 4, 2, 6, 1e-6, 1e6, null, 64, false, false, false,
                true, null, List.of(), "float32", 0, 0, 0, false, 1, List.of());
    }

    /**
     * Qwen3-MoE: 5 experts, top-2, normalised top-k, moe_intermediate 8 ≠ intermediate 20; layer 1 is dense
     * ({@code mlp_only_layers}) between two sparse layers.
     */
    public static ModelConfig qwen3Moe() {
        return new ModelConfig(ModelFamily.QWEN3_MOE, 29, 16, 20, 3, 4, 2, 4, 1e-6, 1e6, null, 64, false, false, false,
                true, null, List.of(), "float32", 5, 2, 8, true, 1, List.of(1));
    }

    public static List<ModelConfig> all() {
        return List.of(llama(), qwen2(), qwen3(), qwen3Moe());
    }
}
