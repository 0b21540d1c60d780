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
}
