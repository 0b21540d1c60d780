package dev.luthier.server.training;

import java.util.Map;

/** Metrics of an optimizer step (the gradient norm, the step number, the learning rate). */
public record OptimStepResult(Map<String, Double> metrics) {
}
