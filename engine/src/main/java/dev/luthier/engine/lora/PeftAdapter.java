package dev.luthier.engine.lora;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A LoRA adapter as PEFT saves it, independent of any engine state.
 *
 * @param targetModules        module names (or, as PEFT allows, one regular expression) the adapter targets
 * @param baseModelNameOrPath  what PEFT records as the base model; may be null
 * @param pairs                sorted by layer, expert, module
 */
public record PeftAdapter(int rank, double alpha, boolean useRslora, List<String> targetModules,
                          String baseModelNameOrPath, Map<LoraKey, LoraPair> pairs) {

    public PeftAdapter {
        if (rank <= 0) {
            throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
        }
        targetModules = List.copyOf(targetModules);
        pairs = Collections.unmodifiableMap(new TreeMap<>(pairs));
        for (Map.Entry<LoraKey, LoraPair> e : pairs.entrySet()) {
            if (e.getValue().rank() != rank) {
                throw new IllegalArgumentException("LoRA pair " + e.getKey().peftModulePath() + " has rank "
                        + e.getValue().rank() + ", the adapter " + rank);
            }
        }
    }

    /** The factor on the LoRA path: {@code alpha / r}, or {@code alpha / √r} with rank-stabilised LoRA. */
    public double scale() {
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }
}
