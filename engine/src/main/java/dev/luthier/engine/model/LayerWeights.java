package dev.luthier.engine.model;

/**
 * The weights of one decoder layer. Optional ones are null: biases (Qwen2), q/k norms (Qwen3).
 * Projections are {@code [out, in]} as in Hugging Face.
 */
public record LayerWeights(
        Param inputNorm,
        Param qProj, Param kProj, Param vProj, Param oProj,
        Param qBias, Param kBias, Param vBias, Param oBias,
        Param qNorm, Param kNorm,
        Param postAttentionNorm,
        Param gateProj, Param upProj, Param downProj) {

    public java.util.List<Param> all() {
        java.util.List<Param> out = new java.util.ArrayList<>();
        for (Param p : new Param[]{inputNorm, qProj, kProj, vProj, oProj, qBias, kBias, vBias, oBias, qNorm, kNorm,
                postAttentionNorm, gateProj, upProj, downProj}) {
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }
}
