package dev.luthier.server.training;

import dev.luthier.engine.optim.AdamParams;

import java.util.List;
import java.util.Map;

/** A sequenced operation on a training run, executed strictly in seq_id order. */
public sealed interface TrainingOp {
    /** {@code forward_backward} (or {@code forward} with {@code forwardOnly}). */
    record ForwardBackward(List<TrainingDatum> data, String lossFn, Map<String, Double> lossFnConfig,
                           boolean forwardOnly) implements TrainingOp {
        public int tokens() {
            int n = 0;
            for (TrainingDatum d : data) {
                n += d.tokenCount();
            }
            return n;
        }
    }

    record OptimStep(AdamParams params) implements TrainingOp {
    }

    /** {@code save_weights}: adapter, optimizer state and config. */
    record SaveState(String name, Long ttlSeconds) implements TrainingOp {
    }

    /**
     * {@code save_weights_for_sampler}: a PEFT adapter. Named saves return a path; unnamed ones create an ephemeral
     * sampling session with id {@code samplingSessionId}.
     */
    record SaveForSampler(String name, String samplingSessionId, Long ttlSeconds) implements TrainingOp {
    }

    /** {@code load_weights}: restores an adapter (and optionally its optimizer state) from a training checkpoint. */
    record LoadState(String tinkerPath, boolean withOptimizer) implements TrainingOp {
    }

    /**
     * A request that arrived well-formed enough to take its seq_id but cannot run (for example a datum whose
     * inputs disagree); it fails through its future, in order, with category user.
     */
    record Invalid(String operation, String message) implements TrainingOp {
    }

    default String operationName() {
        return switch (this) {
            case ForwardBackward fb -> fb.forwardOnly() ? "Forward" : "ForwardBackward";
            case OptimStep o -> "OptimStep";
            case SaveState s -> "SaveWeights";
            case SaveForSampler s -> "SaveWeightsForSampler";
            case LoadState l -> "LoadWeights";
            case Invalid i -> i.operation();
        };
    }
}
