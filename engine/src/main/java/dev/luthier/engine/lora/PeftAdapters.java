package dev.luthier.engine.lora;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.model.ModelConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts between PEFT adapters (files) and the engine's {@link LoraAdapter}s (tensors). */
public final class PeftAdapters {
    private PeftAdapters() {
    }

    /** An engine adapter with the PEFT adapter's factors and scale; shapes are checked against the model. */
    public static LoraAdapter toEngine(PeftAdapter peft, String id, ModelConfig model, Kernels kernels) {
        boolean attn = false, mlp = false, head = false;
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Map.Entry<LoraKey, LoraPair> e : peft.pairs().entrySet()) {
            LoraKey key = e.getKey();
            if (key.layer() >= model.numLayers()) {
                throw new IllegalArgumentException("adapter has LoRA on layer " + key.layer() + " but the model has "
                        + model.numLayers() + " layers");
            }
            LoraTarget target = LoraTarget.fromModuleName(key.module());
            if (key.expert() >= 0) {
                if (!model.isMoeLayer(key.layer())) {
                    throw new IllegalArgumentException("adapter has per-expert LoRA (" + key.peftModulePath()
                            + "), but layer " + key.layer() + " of the model has no experts");
                }
                if (key.expert() >= model.numExperts()) {
                    throw new IllegalArgumentException("adapter has LoRA on expert " + key.expert() + " ("
                            + key.peftModulePath() + ") but the model has " + model.numExperts() + " experts");
                }
            } else if (target.isMlp() && model.isMoeLayer(key.layer())) {
                throw new IllegalArgumentException("adapter has dense MLP LoRA (" + key.peftModulePath() + "), but layer "
                        + key.layer() + " of the model is a mixture of experts (expected mlp.experts.{e}."
                        + target.moduleName() + ")");
            }
            attn |= target.isAttention();
            mlp |= target.isMlp();
            head |= target == LoraTarget.LM_HEAD;
            String prefix = key.peftModulePath();
            tensors.put(prefix + ".lora_A.weight", e.getValue().a());
            tensors.put(prefix + ".lora_B.weight", e.getValue().b());
        }
        if (!attn && !mlp && !head) {
            throw new IllegalArgumentException("adapter has no LoRA tensors");
        }
        // The engine's scale is alpha/rank, so rank-stabilised LoRA maps onto an equivalent alpha.
        LoraConfig config = new LoraConfig(peft.rank(), peft.scale() * peft.rank(), 0, attn, mlp, head);
        return LoraAdapter.fromPeftTensors(id, config, model, kernels, tensors::get);
    }

    /** The adapter as PEFT writes it: PEFT tensor names, {@code r}, {@code lora_alpha} and target modules. */
    public static PeftAdapter fromEngine(LoraAdapter adapter, Kernels kernels, String baseModel) {
        Map<LoraKey, LoraPair> pairs = new LinkedHashMap<>();
        List<String> targets = new ArrayList<>();
        for (LoraAdapter.NamedModule nm : adapter.modules()) {
            LoraModule m = nm.module();
            LoraKey key = nm.target() == LoraTarget.LM_HEAD ? LoraKey.lmHead()
                    : nm.expert() >= 0 ? LoraKey.expert(nm.layer(), nm.expert(), nm.target().moduleName())
                    : LoraKey.of(nm.layer(), nm.target().moduleName());
            pairs.put(key, new LoraPair(kernels.toHost(m.a()), m.a().rows(), m.a().cols(),
                    kernels.toHost(m.b()), m.b().rows(), m.b().cols()));
            if (!targets.contains(nm.target().moduleName())) {
                targets.add(nm.target().moduleName());
            }
        }
        return new PeftAdapter(adapter.config().rank(), adapter.config().alpha(), false, targets, baseModel, pairs);
    }
}
