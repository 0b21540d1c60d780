package dev.luthier.engine.model;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.optim.ParameterSet;
import dev.luthier.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Full fine-tuning: every weight becomes a trainable fp32 master copy with its own gradient accumulator, named as in
 * the Hugging Face checkpoint so the optimizer state and exports line up. Only for models that fit in memory four
 * times over (weights, gradients, two Adam moments).
 */
public final class FullFineTuning implements ParameterSet {
    private final TransformerWeights weights;
    private final List<Entry> entries;

    private FullFineTuning(TransformerWeights weights, List<Entry> entries) {
        this.weights = weights;
        this.entries = List.copyOf(entries);
    }

    /** Trainable fp32 copies of {@code base} (tied embeddings stay tied: one tensor, one gradient). */
    public static FullFineTuning of(ModelConfig config, TransformerWeights base, Kernels k) {
        Map<String, Param> named = new LinkedHashMap<>();
        Param embedding = trainable(base.embedding(), k);
        named.put(WeightNames.EMBEDDING, embedding);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < base.layers().size(); l++) {
            LayerWeights w = base.layers().get(l);
            LayerWeights t = new LayerWeights(
                    put(named, l, "input_layernorm.weight", w.inputNorm(), k),
                    put(named, l, "self_attn.q_proj.weight", w.qProj(), k),
                    put(named, l, "self_attn.k_proj.weight", w.kProj(), k),
                    put(named, l, "self_attn.v_proj.weight", w.vProj(), k),
                    put(named, l, "self_attn.o_proj.weight", w.oProj(), k),
                    put(named, l, "self_attn.q_proj.bias", w.qBias(), k),
                    put(named, l, "self_attn.k_proj.bias", w.kBias(), k),
                    put(named, l, "self_attn.v_proj.bias", w.vBias(), k),
                    put(named, l, "self_attn.o_proj.bias", w.oBias(), k),
                    put(named, l, "self_attn.q_norm.weight", w.qNorm(), k),
                    put(named, l, "self_attn.k_norm.weight", w.kNorm(), k),
                    put(named, l, "post_attention_layernorm.weight", w.postAttentionNorm(), k),
                    put(named, l, "mlp.gate_proj.weight", w.gateProj(), k),
                    put(named, l, "mlp.up_proj.weight", w.upProj(), k),
                    put(named, l, "mlp.down_proj.weight", w.downProj(), k),
                    put(named, l, "mlp.gate.weight", w.router(), k),
                    experts(named, l, w, k));
            layers.add(t);
        }
        Param finalNorm = trainable(base.finalNorm(), k);
        named.put(WeightNames.FINAL_NORM, finalNorm);
        Param head = base.tied() ? embedding : trainable(base.lmHead(), k);
        if (!base.tied()) {
            named.put(WeightNames.LM_HEAD, head);
        }
        List<Entry> entries = new ArrayList<>();
        named.forEach((name, p) -> entries.add(new Entry(name, p.value(), p.grad())));
        return new FullFineTuning(new TransformerWeights(embedding, layers, finalNorm, head), entries);
    }

    private static List<ExpertWeights> experts(Map<String, Param> named, int l, LayerWeights w, Kernels k) {
        List<ExpertWeights> out = new ArrayList<>();
        for (int e = 0; e < w.experts().size(); e++) {
            ExpertWeights x = w.experts().get(e);
            String prefix = "mlp.experts." + e + ".";
            out.add(new ExpertWeights(put(named, l, prefix + "gate_proj.weight", x.gateProj(), k),
                    put(named, l, prefix + "up_proj.weight", x.upProj(), k),
                    put(named, l, prefix + "down_proj.weight", x.downProj(), k)));
        }
        return out;
    }

    private static Param put(Map<String, Param> named, int layer, String suffix, Param p, Kernels k) {
        if (p == null) {
            return null;
        }
        Param t = trainable(p, k);
        named.put(WeightNames.layer(layer, suffix), t);
        return t;
    }

    private static Param trainable(Param p, Kernels k) {
        Tensor v = k.allocate(p.value().rows(), p.value().cols());
        k.copy(p.value(), v);
        return new Param(v, k.allocate(v.rows(), v.cols()));
    }

    /** The trainable weights, to build a {@link Transformer} over. */
    public TransformerWeights weights() {
        return weights;
    }

    @Override
    public List<Entry> parameters() {
        return entries;
    }
}
