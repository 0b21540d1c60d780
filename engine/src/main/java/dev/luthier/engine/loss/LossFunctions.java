package dev.luthier.engine.loss;

import java.util.Map;
import java.util.Set;

/** Builds a loss from its wire name and {@code loss_fn_config}, rejecting unknown names and keys. */
public final class LossFunctions {
    private LossFunctions() {
    }

    public static LossFunction create(String name, Map<String, Double> config) {
        Map<String, Double> c = config == null ? Map.of() : config;
        return switch (name) {
            case "cross_entropy" -> {
                allow(name, c, Set.of());
                yield new CrossEntropyLoss();
            }
            case "importance_sampling" -> {
                allow(name, c, Set.of());
                yield new ImportanceSamplingLoss();
            }
            case "ppo" -> {
                allow(name, c, Set.of("clip_low_threshold", "clip_high_threshold"));
                yield new PpoLoss(c.getOrDefault("clip_low_threshold", PpoLoss.DEFAULT_LOW),
                        c.getOrDefault("clip_high_threshold", PpoLoss.DEFAULT_HIGH));
            }
            case "cispo" -> {
                allow(name, c, Set.of("clip_low_threshold", "clip_high_threshold"));
                yield new CispoLoss(c.getOrDefault("clip_low_threshold", CispoLoss.DEFAULT_LOW),
                        c.getOrDefault("clip_high_threshold", CispoLoss.DEFAULT_HIGH));
            }
            case "dro" -> {
                allow(name, c, Set.of("beta"));
                yield new DroLoss(c.getOrDefault("beta", DroLoss.DEFAULT_BETA));
            }
            default -> throw new IllegalArgumentException("unknown loss_fn \"" + name
                    + "\" (supported: cross_entropy, importance_sampling, ppo, cispo, dro)");
        };
    }

    private static void allow(String loss, Map<String, Double> config, Set<String> keys) {
        for (Map.Entry<String, Double> e : config.entrySet()) {
            if (!keys.contains(e.getKey())) {
                throw new IllegalArgumentException("loss " + loss + " has no config key \"" + e.getKey() + "\""
                        + (keys.isEmpty() ? " (it takes none)" : " (known: " + String.join(", ", keys) + ")"));
            }
            if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException("loss_fn_config." + e.getKey() + " must be a finite number");
            }
        }
    }
}
