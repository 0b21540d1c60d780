package dev.luthier.engine.model;

/** Hugging Face tensor names of a decoder-only transformer. */
public final class WeightNames {
    private WeightNames() {
    }

    public static final String EMBEDDING = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    public static String layer(int layer, String suffix) {
        return "model.layers." + layer + "." + suffix;
    }

    /** A mixture-of-experts layer's router, {@code [E, hidden]}. */
    public static String router(int layer) {
        return layer(layer, "mlp.gate.weight");
    }

    /** Expert {@code expert}'s {@code gate_proj}, {@code up_proj} or {@code down_proj} weight. */
    public static String expert(int layer, int expert, String proj) {
        return layer(layer, "mlp.experts." + expert + "." + proj + ".weight");
    }
}
