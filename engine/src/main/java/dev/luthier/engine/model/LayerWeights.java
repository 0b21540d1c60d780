package dev.luthier.engine.model;

import java.util.List;

/**
 * The weights of one decoder layer. Optional ones are null: biases (Qwen2), q/k norms (Qwen3). A dense layer has
 * {@code gateProj/upProj/downProj}; a mixture-of-experts layer has instead the {@code router} ({@code [E, hidden]})
 * and its {@code experts}. Projections are {@code [out, in]} as in Hugging Face.
 */
public record LayerWeights(
        Param inputNorm,
        Param qProj, Param kProj, Param vProj, Param oProj,
        Param qBias, Param kBias, Param vBias, Param oBias,
        Param qNorm, Param kNorm,
        Param postAttentionNorm,
        Param gateProj, Param upProj, Param downProj,
        Param router, List<ExpertWeights> experts) {

    public LayerWeights {
        experts = experts == null ? List.of() : List.copyOf(experts);
        if ((router == null) != experts.isEmpty()) {
            throw new IllegalArgumentException("a mixture-of-experts layer needs both a router and experts");
        }
    }

    /** A dense layer. */
    public LayerWeights(Param inputNorm, Param qProj, Param kProj, Param vProj, Param oProj,
                        Param qBias, Param kBias, Param vBias, Param oBias, Param qNorm, Param kNorm,
                        Param postAttentionNorm, Param gateProj, Param upProj, Param downProj) {
        this(inputNorm, qProj, kProj, vProj, oProj, qBias, kBias, vBias, oBias, qNorm, kNorm, postAttentionNorm,
                gateProj, upProj, downProj, null, List.of());
    }

    public boolean isMoe() {
        return router != null;
    }

    public java.util.List<Param> all() {
        java.util.List<Param> out = new java.util.ArrayList<>();
        for (Param p : new Param[]{inputNorm, qProj, kProj, vProj, oProj, qBias, kBias, vBias, oBias, qNorm, kNorm,
                postAttentionNorm, gateProj, upProj, downProj, router}) {
            if (p != null) {
                out.add(p);
            }
        }
        for (ExpertWeights e : experts) {
            out.add(e.gateProj());
            out.add(e.upProj());
            out.add(e.downProj());
        }
        return out;
    }
}
