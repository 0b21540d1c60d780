package dev.luthier.engine.lora;

import java.util.Comparator;
import java.util.Set;

/**
 * Which linear layer a LoRA pair adapts.
 *
 * @param layer  decoder layer, -1 for {@code lm_head}
 * @param module q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj or lm_head
 * @param expert the expert of a mixture-of-experts MLP, -1 for none
 */
public record LoraKey(int layer, String module, int expert) implements Comparable<LoraKey> {

    public static final Set<String> ATTENTION = Set.of("q_proj", "k_proj", "v_proj", "o_proj");
    public static final Set<String> MLP = Set.of("gate_proj", "up_proj", "down_proj");
    public static final String LM_HEAD = "lm_head";

    private static final Comparator<LoraKey> ORDER = Comparator.comparingInt(LoraKey::layer)
            .thenComparingInt(LoraKey::expert).thenComparing(LoraKey::module);

    public LoraKey {
        if (module.equals(LM_HEAD)) {
            if (layer != -1 || expert != -1) {
                throw new IllegalArgumentException("lm_head has no layer or expert: " + layer + "/" + expert);
            }
        } else if (ATTENTION.contains(module)) {
            if (layer < 0 || expert != -1) {
                throw new IllegalArgumentException(module + " needs a layer ≥ 0 and no expert: " + layer + "/" + expert);
            }
        } else if (MLP.contains(module)) {
            if (layer < 0 || expert < -1) {
                throw new IllegalArgumentException(module + " needs a layer ≥ 0: " + layer + "/" + expert);
            }
        } else {
            throw new IllegalArgumentException("unknown LoRA module " + module
                    + " (supported: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head)");
        }
    }

    public static LoraKey of(int layer, String module) {
        return new LoraKey(layer, module, -1);
    }

    public static LoraKey expert(int layer, int expert, String module) {
        return new LoraKey(layer, module, expert);
    }

    public static LoraKey lmHead() {
        return new LoraKey(-1, LM_HEAD, -1);
    }

    /** The module's path in a PEFT-wrapped causal LM, e.g. {@code base_model.model.model.layers.3.mlp.up_proj}. */
    public String peftModulePath() {
        if (module.equals(LM_HEAD)) {
            return "base_model.model.lm_head";
        }
        String prefix = "base_model.model.model.layers." + layer;
        if (ATTENTION.contains(module)) {
            return prefix + ".self_attn." + module;
        }
        return expert >= 0 ? prefix + ".mlp.experts." + expert + "." + module : prefix + ".mlp." + module;
    }

    @Override
    public int compareTo(LoraKey o) {
        return ORDER.compare(this, o);
    }
}
